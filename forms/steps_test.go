package forms

import "testing"

func TestStepTitles(t *testing.T) {
	want := []string{"Plan", "Your details", "Number & phone", "Payment", "Review"}
	if len(Steps) != len(want) {
		t.Fatalf("Steps = %v", Steps)
	}
	for i, s := range Steps {
		if s.Title() != want[i] || s.Index() != i || !s.Valid() {
			t.Errorf("step %d: %s %q %d", i, s, s.Title(), s.Index())
		}
	}
	if StepDone.Index() != len(Steps) || !StepDone.Valid() {
		t.Error("StepDone comes after the steps")
	}
	if Step("admin").Valid() || Step("").Index() != -1 || Step("x").Title() != "" {
		t.Error("unknown steps are not valid")
	}
}

func TestProgress(t *testing.T) {
	none := Progress{}
	plan := Progress{Product: 1}
	details := Progress{Product: 1, Answers: Answers{}}
	phoneOnly := Progress{Product: 1, Answers: Answers{"x": "y"}, Number: "16045550134"}
	phone := Progress{Product: 1, Answers: Answers{}, Number: "16045550134", Device: "byod"}
	paid := phone
	paid.CardSealed = true
	signed := paid
	signed.SignedUp = true

	tests := []struct {
		name  string
		p     Progress
		first Step
		// each step: want ok, and where to redirect when not
		allowed map[Step]bool
	}{
		{"nothing", none, StepWelcome, map[Step]bool{StepWelcome: true, StepAddress: false, StepDone: false}},
		{"plan chosen", plan, StepAddress, map[Step]bool{StepWelcome: true, StepAddress: true, StepPhone: false, StepSummary: false}},
		{"details given", details, StepPhone, map[Step]bool{StepAddress: true, StepPhone: true, StepPayment: false}},
		{"number but no device", phoneOnly, StepPhone, map[Step]bool{StepPhone: true, StepPayment: false}},
		{"phone chosen", phone, StepPayment, map[Step]bool{StepPayment: true, StepSummary: false, StepDone: false}},
		{"card sealed", paid, StepSummary, map[Step]bool{StepWelcome: true, StepSummary: true, StepDone: false}},
		{"signed up", signed, StepDone, map[Step]bool{StepDone: true, StepSummary: false, StepWelcome: false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.FirstIncomplete(); got != tt.first {
				t.Errorf("FirstIncomplete = %s, want %s", got, tt.first)
			}
			for s, want := range tt.allowed {
				ok, to := tt.p.Allowed(s)
				if ok != want {
					t.Errorf("Allowed(%s) = %v, want %v", s, ok, want)
				}
				if ok && to != "" {
					t.Errorf("Allowed(%s) redirects to %s while ok", s, to)
				}
				if !ok && to != tt.first {
					t.Errorf("Allowed(%s) redirects to %s, want %s", s, to, tt.first)
				}
			}
			if ok, to := tt.p.Allowed("nonsense"); ok || to != tt.first {
				t.Errorf("unknown step: %v %s", ok, to)
			}
		})
	}
}
