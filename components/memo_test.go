package components

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/a-h/templ"

	"websignup/forms"
	"websignup/internal/memo"
)

func renderString(t *testing.T, c templ.Component) string {
	t.Helper()
	var sb strings.Builder
	if err := c.Render(templ.WithNonce(context.Background(), "nonce"), &sb); err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

// TestMemoSameMarkup checks that the memoized plan cards, step intros and
// actions, and progress indicators are what their components render, on
// first use and after.
func TestMemoSameMarkup(t *testing.T) {
	for _, p := range forms.DemoConfig().Products {
		for i := range 3 {
			for _, sel := range []bool{false, true} {
				plan := NewPlan(p, sel)
				want := renderString(t, planCard(plan, planInputID(i)))
				for range 2 {
					if got := renderString(t, planCards.of(planCardKey{plan: plan, index: i})); got != want {
						t.Errorf("plan %d at %d, selected %v:\n got %s\nwant %s", p.IProduct, i, sel, got, want)
					}
				}
			}
		}
	}
	long := make([]StepVM, maxMemoSteps+1)
	for i := range long {
		long[i] = StepVM{Name: "Step " + strconv.Itoa(i), URL: "/s/x/" + strconv.Itoa(i), State: StepDone}
	}
	progresses := [][]StepVM{nil, long, WizardSteps("demo", forms.StepWelcome), WizardSteps("a&b", forms.StepSummary)}
	for _, cur := range forms.Steps {
		for _, reached := range forms.Steps {
			progresses = append(progresses, WizardProgress("demo", cur, reached))
		}
	}
	for _, args := range [][3]string{{"address-title", "Your details", "We use <these> & more."}, {"x", "Title", ""}} {
		want := renderString(t, stepIntroTemplate(args[0], args[1], args[2]))
		for range 2 {
			if got := renderString(t, stepIntro(args[0], args[1], args[2])); got != want {
				t.Errorf("step intro %q:\n got %s\nwant %s", args, got, want)
			}
		}
	}
	for _, args := range [][2]string{{"/s/demo/", "Continue"}, {"", "Review <your> order"}} {
		want := renderString(t, stepActionsTemplate(args[0], args[1]))
		for range 2 {
			if got := renderString(t, stepActions(args[0], args[1])); got != want {
				t.Errorf("step actions %q:\n got %s\nwant %s", args, got, want)
			}
		}
	}
	for _, steps := range progresses {
		want := renderString(t, Progress(steps))
		for range 2 {
			if got := renderString(t, progressOf(steps)); got != want {
				t.Errorf("progress %v:\n got %s\nwant %s", steps, got, want)
			}
		}
	}
}

// TestMemoBounded checks that a memo starts afresh when full and is safe
// for concurrent use.
func TestMemoBounded(t *testing.T) {
	mm := markupMemo[int]{render: func(k int) templ.Component { return text(strconv.Itoa(k)) }}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for k := range 3 * memo.DefaultMax {
				var sb strings.Builder
				if err := mm.of(k).Render(context.Background(), &sb); err != nil || sb.String() != strconv.Itoa(k) {
					t.Errorf("goroutine %d: key %d gave %q, %v", g, k, sb.String(), err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := mm.m.Len(); n == 0 || n > memo.DefaultMax {
		t.Errorf("%d entries, want 1..%d", n, memo.DefaultMax)
	}
}
