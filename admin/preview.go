package admin

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"
	"github.com/nyaruka/phonenumbers"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/web"
)

// The preview renders the draft (or, without one, the published version)
// with the public wizard's own components, so an admin sees exactly what a
// prospect would, step by step. It never creates a session, a hold or a
// job: the view models are built here from the configuration and sample
// values, every link and form of the page is pointed back into the
// preview, and a banner says that nothing is saved. Continue and Sign up
// post to the preview, which only moves on to the next step.

// previewSampleNumbers is how many numbers the preview's phone step lists.
const previewSampleNumbers = 12

// previewVersion is the version the preview shows.
func (ef *editorForm) previewVersion() (forms.Config, string) {
	switch {
	case ef.draft != nil:
		return ef.draft.Config, fmt.Sprintf("draft (version %d)", ef.draft.Number)
	case ef.published != nil:
		return ef.published.Config, fmt.Sprintf("live version %d", ef.published.Number)
	}
	return ef.cfg, "empty form"
}

func previewStep(c *fiber.Ctx) (forms.Step, error) {
	s := c.Params("step")
	if s == "" {
		return forms.StepWelcome, nil
	}
	step := forms.Step(s)
	if step == forms.StepWelcome || !step.Valid() {
		return "", forms.Errorf(forms.ENotFound, "The wizard has no such step.")
	}
	return step, nil
}

func previewURL(id int64, step forms.Step) string {
	if step == forms.StepWelcome {
		return formURL(id, "/preview/")
	}
	return formURL(id, "/preview/"+string(step))
}

// preview shows one step of the wizard as a prospect would see it.
func (h *handlers) preview(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	step, err := previewStep(c)
	if err != nil {
		return err
	}
	cfg, label := ef.previewVersion()
	slug := ef.form.Slug
	brand := components.NewBrand(cfg.Branding, components.WizardURL(slug, forms.StepWelcome))
	page := func(title string) components.Page {
		return components.Page{Title: "Preview: " + title, Brand: brand, Steps: components.WizardSteps(slug, step)}
	}
	fvm := components.FormVM{Slug: slug, CSRFToken: web.CSRFToken(c)}
	product, device := previewChoice(cfg)
	var comp templ.Component
	switch step {
	case forms.StepWelcome:
		vm := components.WelcomeVM{Slug: slug, SubscriptionText: brand.SubscriptionText, CSRFToken: fvm.CSRFToken}
		for _, p := range cfg.Products {
			vm.Plans = append(vm.Plans, components.NewPlan(p, false))
		}
		comp = components.WelcomePage(page("Plan"), vm)
	case forms.StepAddress:
		vm := components.AddressVM{FormVM: fvm}
		shown := map[string]bool{}
		for _, f := range forms.ShownFields(cfg.Fields, forms.Answers{}) {
			shown[f.Key] = true
		}
		for _, f := range cfg.Fields {
			af := components.AddressFieldVM{Field: components.NewField(f, "", "")}
			if f.ShowWhen != nil {
				af.ShowWhenKey, af.ShowWhenEquals, af.Hidden = f.ShowWhen.Field, f.ShowWhen.Equals, !shown[f.Key]
			}
			vm.Fields = append(vm.Fields, af)
		}
		comp = components.AddressPage(page("Your details"), vm)
	case forms.StepPhone:
		vm := components.PhoneVM{FormVM: fvm, Numbers: h.previewNumbers(c, cfg)}
		for i, d := range cfg.Devices {
			vm.Devices = append(vm.Devices, components.NewDevice(d, cfg.DevicePrice(d), i == 0))
		}
		if cfg.AllowBYOD {
			vm.Devices = append(vm.Devices, components.NewBYOD(cfg.Currency(), len(cfg.Devices) == 0))
		}
		comp = components.PhonePage(page("Your number and phone"), vm)
	case forms.StepPayment:
		vm := components.PaymentVM{FormVM: fvm, PlanName: product.Name, Recurring: product.Recurring().String(), Period: product.Period}
		if ch, err := cfg.ChargeFor(product.IProduct, device); err == nil {
			vm.Charges = components.NewCharges(ch)
		}
		field := func(key, label, help, autocomplete, inputMode string, maxLen int) components.FieldVM {
			return components.FieldVM{Key: key, Kind: forms.KindText, Label: label, Help: help, Required: true,
				MaxLength: maxLen, Autocomplete: autocomplete, InputMode: inputMode}
		}
		vm.Name = field(forms.InputCardName, "Name on card", "", "cc-name", "", 100)
		vm.Number = field(forms.InputCardNumber, "Card number", "Visa, MasterCard, American Express or Discover.", "cc-number", "numeric", 23)
		vm.ExpMonth = field(forms.InputCardExpMonth, "Month (MM)", "", "cc-exp-month", "numeric", 2)
		vm.ExpYear = field(forms.InputCardExpYear, "Year (YYYY)", "", "cc-exp-year", "numeric", 4)
		vm.CVV = field(forms.InputCardCVV, "Security code", "The last 3 digits on the back, or 4 on the front for American Express.", "cc-csc", "numeric", 4)
		comp = components.PaymentPage(page("Payment"), vm)
	case forms.StepSummary:
		vm := components.SummaryVM{FormVM: fvm, PlanName: product.Name, Recurring: product.Recurring().String(),
			Period: product.Period, Number: "+1 206-555-0100", CardBrand: "Visa", CardLast4: "4242", TermsURL: brand.TermsURL,
			Device: previewDeviceName(cfg, device)}
		if ch, err := cfg.ChargeFor(product.IProduct, device); err == nil {
			vm.Charges = components.NewCharges(ch)
		}
		for _, f := range forms.ShownFields(cfg.Fields, forms.Answers{}) {
			vm.Details = append(vm.Details, components.SummaryRowVM{Key: f.Key, Label: f.Label, Value: previewAnswer(f)})
		}
		comp = components.SummaryPage(page("Review and sign up"), vm)
	case forms.StepDone:
		vm := components.DoneVM{State: components.DoneCompleted, Number: "+1 206-555-0100", CardBrand: "Visa", CardLast4: "4242",
			SelfcareURL: "/selfcare/login",
			Credentials: &components.CredentialsVM{Login: "preview-login", Password: "preview-password", SIPLogin: "12065550100", SIPPassword: "preview-sip-password"}}
		if ch, err := cfg.ChargeFor(product.IProduct, device); err == nil {
			vm.Charged = ch.Total.String()
		}
		comp = components.DonePage(components.Page{Title: "Preview: Done", Brand: brand}, vm)
	}
	return h.renderPreview(c, ef, step, label, comp)
}

// previewChoice is the plan and device the later steps' charges use: the
// first of each (or bring-your-own).
func previewChoice(cfg forms.Config) (forms.Product, string) {
	var p forms.Product
	if len(cfg.Products) > 0 {
		p = cfg.Products[0]
	}
	device := forms.DeviceBYOD
	if len(cfg.Devices) > 0 {
		device = strconv.FormatInt(cfg.Devices[0].IUAType, 10)
	}
	return p, device
}

func previewDeviceName(cfg forms.Config, choice string) string {
	id, _ := strconv.ParseInt(choice, 10, 64)
	if d, ok := cfg.Device(id); ok {
		return d.Name
	}
	return "Your own phone"
}

// previewAnswer is the sample answer the summary shows for a field.
func previewAnswer(f forms.Field) string {
	switch {
	case f.Kind == forms.KindCheckbox:
		return "Yes"
	case len(f.Options) > 0:
		return f.Options[0].Label
	case f.Placeholder != "":
		return f.Placeholder
	}
	return "(" + f.Label + ")"
}

// previewNumbers lists some free numbers of the chosen pool as they are in
// PortaSwitch now (read only; nothing is held).
func (h *handlers) previewNumbers(c *fiber.Ctx, cfg forms.Config) components.NumberListVM {
	vm := components.NumberListVM{Slug: "", Query: onlyDigitsOf(c.Query("q"))}
	if len(cfg.Pools) == 0 {
		return vm
	}
	pool := cfg.Pools[0]
	if id, err := strconv.ParseInt(c.Query("pool"), 10, 64); err == nil {
		if p, ok := cfg.Pool(id); ok {
			pool = p
		}
	}
	vm.PoolID = pool.IDVBatch
	for _, p := range cfg.Pools {
		vm.Pools = append(vm.Pools, components.PoolOptionVM{ID: p.IDVBatch, Name: p.Name, Selected: p.IDVBatch == pool.IDVBatch})
	}
	ctx, cancel := h.catalogCtx(c)
	defer cancel()
	numbers, err := h.catalog().SampleNumbers(ctx, pool, 100)
	if err != nil {
		vm.Unavailable = true
		return vm
	}
	for _, n := range numbers {
		if vm.Query != "" && !strings.Contains(n, vm.Query) {
			continue
		}
		vm.Numbers = append(vm.Numbers, components.NumberOptionVM{Number: n, Display: displayNumber(n), Selected: len(vm.Numbers) == 0})
		if len(vm.Numbers) == previewSampleNumbers {
			break
		}
	}
	return vm
}

func onlyDigitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r < '0' || r > '9' {
			return -1
		}
		return r
	}, s)
}

// displayNumber formats PortaSwitch's digits for people, as the wizard does.
func displayNumber(n string) string {
	num, err := phonenumbers.Parse("+"+n, "")
	if err != nil || !phonenumbers.IsPossibleNumber(num) {
		return n
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}

// previewNumberList answers the phone step's number search in the preview.
func (h *handlers) previewNumberList(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	cfg, _ := ef.previewVersion()
	var buf bytes.Buffer
	ctx := templ.WithNonce(c.UserContext(), web.Nonce(c))
	if err := components.NumberList(h.previewNumbers(c, cfg)).Render(ctx, &buf); err != nil {
		return fmt.Errorf("render preview numbers: %w", err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(rewritePreview(buf.Bytes(), ef.form.Slug, ef.form.ID))
}

// previewNext answers Continue (and Sign up) in the preview: nothing that
// was posted is read; the browser moves on to the next step.
func (h *handlers) previewNext(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	var step forms.Step
	if s := c.Params("step"); s == "signup" {
		step = forms.StepSummary
	} else if step, err = previewStep(c); err != nil {
		return err
	}
	next := forms.StepDone
	if i := step.Index(); i+1 < len(forms.Steps) {
		next = forms.Steps[i+1]
	}
	return c.Redirect(previewURL(ef.form.ID, next), fiber.StatusSeeOther)
}

// renderPreview renders a wizard page, points its links and forms into the
// preview and puts the banner at the top of the body.
func (h *handlers) renderPreview(c *fiber.Ctx, ef *editorForm, step forms.Step, label string, comp templ.Component) error {
	ctx := templ.WithNonce(c.UserContext(), web.Nonce(c))
	var page, banner bytes.Buffer
	if err := comp.Render(ctx, &page); err != nil {
		return fmt.Errorf("render preview: %w", err)
	}
	bvm := components.AdminPreviewVM{FormName: ef.form.Name, EditURL: formURL(ef.form.ID, "/edit"), Version: label}
	for _, s := range append(append([]forms.Step{}, forms.Steps...), forms.StepDone) {
		bvm.Steps = append(bvm.Steps, components.AdminOption{Value: previewURL(ef.form.ID, s), Label: s.Title(), Selected: s == step})
	}
	if err := components.AdminPreviewBanner(bvm).Render(ctx, &banner); err != nil {
		return fmt.Errorf("render preview banner: %w", err)
	}
	out := rewritePreview(page.Bytes(), ef.form.Slug, ef.form.ID)
	// The banner goes right after the skip link, which must stay the first
	// thing in the body (and outside the landmarks only it may be).
	skip := []byte(`Skip to main content</a>`)
	if i := bytes.Index(out, skip); i >= 0 {
		at := i + len(skip)
		out = append(out[:at:at], append(banner.Bytes(), out[at:]...)...)
	} else {
		out = bytes.Replace(out, []byte("<body>"), append([]byte("<body>"), banner.Bytes()...), 1)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusOK).Send(out)
}

// rewritePreview points every attribute that addresses the public wizard
// of this form (href, action, hx-get: `="/s/{slug}/`) into the preview.
// Text the admin typed cannot match: templ escapes its quotes, and the
// slug is letters, digits and hyphens only.
func rewritePreview(html []byte, slug string, id int64) []byte {
	from := []byte(`="/s/` + slug + `/`)
	to := []byte(`="` + formURL(id, "/preview/"))
	return bytes.ReplaceAll(html, from, to)
}

// previewRoot sends /preview to /preview/ (routing is strict).
func (h *handlers) previewRoot(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	return c.Redirect(previewURL(ef.form.ID, forms.StepWelcome), fiber.StatusSeeOther)
}
