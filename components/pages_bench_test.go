package components_test

import (
	"context"
	"io"
	"strconv"
	"testing"

	"github.com/a-h/templ"

	"websignup/components"
	"websignup/forms"
)

// The page benchmarks render each wizard page's component with the demo
// form's content, as the handlers build it, into io.Discard: the cost of
// templ alone, per page. Run with -benchmem so allocation regressions show.

func benchPage(b *testing.B, c templ.Component) {
	b.Helper()
	ctx := templ.WithNonce(context.Background(), "bench-nonce")
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func demoPage(step forms.Step, title string) components.Page {
	cfg := forms.DemoConfig()
	return components.Page{Title: title, Brand: components.NewBrand(cfg.Branding, "/s/demo/"),
		Steps: components.WizardSteps("demo", step)}
}

func BenchmarkRenderWelcome(b *testing.B) {
	cfg := forms.DemoConfig()
	vm := components.WelcomeVM{Slug: "demo", SubscriptionText: cfg.Branding.SubscriptionText, CSRFToken: "token"}
	for i, p := range cfg.Products {
		vm.Plans = append(vm.Plans, components.NewPlan(p, i == 0))
	}
	benchPage(b, components.WelcomePage(demoPage(forms.StepWelcome, "Choose your plan"), vm))
}

func addressVM(withErrors bool) components.AddressVM {
	cfg := forms.DemoConfig()
	vm := components.AddressVM{FormVM: components.FormVM{Slug: "demo", CSRFToken: "token"}}
	for _, f := range cfg.Fields {
		msg := ""
		if withErrors && f.Required {
			msg = "Enter your " + f.Label
			vm.Errors = append(vm.Errors, components.ErrorItemVM{Key: f.Key, Message: msg})
		}
		vm.Fields = append(vm.Fields, components.AddressFieldVM{Field: components.NewField(f, "Ada", msg)})
	}
	return vm
}

func BenchmarkRenderAddress(b *testing.B) {
	benchPage(b, components.AddressPage(demoPage(forms.StepAddress, "Your details"), addressVM(false)))
}

func BenchmarkRenderAddressErrors(b *testing.B) {
	benchPage(b, components.AddressPage(demoPage(forms.StepAddress, "Your details"), addressVM(true)))
}

func BenchmarkRenderPhone(b *testing.B) {
	cfg := forms.DemoConfig()
	list := components.NumberListVM{Slug: "demo", PoolID: 1}
	for _, p := range cfg.Pools {
		list.Pools = append(list.Pools, components.PoolOptionVM{ID: p.IDVBatch, Name: p.Name, Selected: p.IDVBatch == 1})
	}
	for i := range 12 {
		n := strconv.Itoa(12065550100 + i)
		list.Numbers = append(list.Numbers, components.NumberOptionVM{Number: n, Display: "+1 206-555-01" + n[len(n)-2:]})
	}
	vm := components.PhoneVM{FormVM: components.FormVM{Slug: "demo", CSRFToken: "token"}, Numbers: list}
	for _, d := range cfg.Devices {
		vm.Devices = append(vm.Devices, components.NewDevice(d, forms.Money{Amount: d.Price, Currency: "USD"}, false))
	}
	benchPage(b, components.PhonePage(demoPage(forms.StepPhone, "Your number and phone"), vm))
}

func charges() components.ChargesVM {
	return components.ChargesVM{Total: "$24.90", Lines: []components.ChargeLineVM{
		{Label: "Activation fee", Amount: "$9.95"}, {Label: "First month", Amount: "$14.95"}}}
}

func BenchmarkRenderPayment(b *testing.B) {
	f := func(key, label string) components.FieldVM {
		return components.NewField(forms.Field{Key: key, Kind: forms.KindText, Label: label, Required: true}, "", "")
	}
	vm := components.PaymentVM{FormVM: components.FormVM{Slug: "demo", CSRFToken: "token"}, Charges: charges(),
		PlanName: "Home Basic", Recurring: "$14.95", Period: "month",
		Name: f("card_name", "Name on card"), Number: f("card_number", "Card number"),
		ExpMonth: f("card_exp_month", "Month"), ExpYear: f("card_exp_year", "Year"), CVV: f("card_cvv", "Security code")}
	benchPage(b, components.PaymentPage(demoPage(forms.StepPayment, "Payment"), vm))
}

func BenchmarkRenderSummary(b *testing.B) {
	cfg := forms.DemoConfig()
	vm := components.SummaryVM{FormVM: components.FormVM{Slug: "demo", CSRFToken: "token"},
		PlanName: "Home Basic", Recurring: "$14.95", Period: "month", Number: "+1 206-555-0142",
		Device: "Your own phone", Charges: charges(), CardBrand: "Visa", CardLast4: "4242",
		CardToken: "sealed-card-token-of-realistic-length-0123456789abcdef0123456789abcdef", TermsURL: cfg.Branding.TermsURL}
	for _, f := range cfg.Fields {
		vm.Details = append(vm.Details, components.SummaryRowVM{Key: f.Key, Label: f.Label, Value: "Ada"})
	}
	benchPage(b, components.SummaryPage(demoPage(forms.StepSummary, "Check and sign up"), vm))
}

func BenchmarkRenderDone(b *testing.B) {
	vm := components.DoneVM{State: components.DoneCompleted, Number: "+1 206-555-0142", Charged: "$24.90",
		CardBrand: "Visa", CardLast4: "4242", SelfcareURL: "/selfcare/login",
		Credentials: &components.CredentialsVM{Login: "12065550142", Password: "s3cret-Pass", SIPLogin: "12065550142", SIPPassword: "sip-s3cret"}}
	benchPage(b, components.DonePage(demoPage(forms.StepDone, "Welcome aboard"), vm))
}
