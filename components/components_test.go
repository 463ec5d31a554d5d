package components_test

import (
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"

	"websignup/components"
	"websignup/forms"
)

func render(t *testing.T, c templ.Component) (*goquery.Document, string) {
	t.Helper()
	var sb strings.Builder
	ctx := templ.WithNonce(context.Background(), "test-nonce")
	if err := c.Render(ctx, &sb); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(sb.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc, sb.String()
}

func TestNewBrandRefusesUnsafeValues(t *testing.T) {
	b := components.NewBrand(forms.Branding{
		CompanyTitle:    "Acme",
		PrimaryColor:    "red;}</style><script>alert(1)</script>",
		AccentColor:     "#00A88F",
		BackgroundColor: "#fff",
		LogoURL:         "javascript:alert(1)",
		TermsURL:        "//evil.example/terms",
		SupportEmail:    "help@acme.example",
		SupportPhone:    "+1 (604) 555-0100",
	}, "/s/acme/")
	if b.Primary != "" || b.Background != "" || b.Accent != "#00a88f" {
		t.Errorf("colours: %+v", b)
	}
	if b.LogoURL != "" || b.TermsURL != "" {
		t.Errorf("unsafe URLs kept: logo %q terms %q", b.LogoURL, b.TermsURL)
	}
	if got := b.SupportPhoneURL(); got != "tel:+16045550100" {
		t.Errorf("tel URL %q", got)
	}
	if got := b.SupportEmailURL(); got != "mailto:help@acme.example" {
		t.Errorf("mailto URL %q", got)
	}

	_, html := render(t, components.Layout(components.Page{Title: "x", Brand: b}))
	if strings.Contains(html, "alert(1)") || strings.Contains(html, "evil.example") {
		t.Errorf("unsafe value reached the page: %s", html)
	}
}

func TestLayoutThemesWithNoncedStyle(t *testing.T) {
	cfg := forms.DemoConfig()
	cfg.Branding.LogoURL = "https://cdn.northwind.example/logo.svg"
	cfg.Branding.PrimaryColor = "#FFD500" // light: buttons need dark text
	b := components.NewBrand(cfg.Branding, "/s/demo/")
	doc, _ := render(t, components.Layout(components.Page{Title: "Choose your plan", Brand: b, Steps: components.WizardSteps("demo", forms.StepAddress)}))

	if got := doc.Find("html").AttrOr("lang", ""); got != "en" {
		t.Errorf("lang %q", got)
	}
	if got := doc.Find("title").Text(); got != "Choose your plan – Northwind Telecom" {
		t.Errorf("title %q", got)
	}
	style := doc.Find(`style[data-testid="brand-style"]`)
	if style.AttrOr("nonce", "") != "test-nonce" {
		t.Errorf("style nonce %q", style.AttrOr("nonce", ""))
	}
	css := style.Text()
	for _, want := range []string{"--brand:#ffd500;", "--on-brand:#111827;", "--accent:#00a88f;", "--bg:#f5f7fb;", "--text:#1b2430;"} {
		if !strings.Contains(css, want) {
			t.Errorf("style %q lacks %q", css, want)
		}
	}
	if doc.Find(`a.skip-link[href="#main"]`).Length() != 1 || doc.Find(`main#main`).Length() != 1 {
		t.Error("skip link or main landmark missing")
	}
	if src := doc.Find("img.brand__logo").AttrOr("src", ""); src != "https://cdn.northwind.example/logo.svg" {
		t.Errorf("logo %q", src)
	}
	if doc.Find(`[data-testid="company-title"]`).Text() != "Northwind Telecom" {
		t.Error("company title missing")
	}
	if href := doc.Find(`[data-testid="terms-link"]`).AttrOr("href", ""); href != "https://example.com/northwind/terms" {
		t.Errorf("terms link %q", href)
	}
	if !strings.Contains(doc.Find(`[data-testid="support"]`).Text(), "support@northwind.example") {
		t.Error("support contact missing")
	}

	// Progress: step 2 current, step 1 done and linking back.
	stepsSel := doc.Find(`[data-testid="progress"] ol li`)
	if stepsSel.Length() != len(forms.Steps) {
		t.Fatalf("%d steps", stepsSel.Length())
	}
	if cur := doc.Find(`li[aria-current="step"]`); cur.Length() != 1 || !strings.Contains(cur.Text(), "Your details") {
		t.Errorf("current step %q", cur.Text())
	}
	if href := stepsSel.First().Find("a").AttrOr("href", ""); href != "/s/demo/" {
		t.Errorf("done step links to %q", href)
	}
	if stepsSel.Last().Find("a").Length() != 0 {
		t.Error("an upcoming step is a link")
	}
}

func TestNeutralBrandHasNoStyleOrFooter(t *testing.T) {
	doc, _ := render(t, components.Layout(components.Page{Title: "Page not found", Brand: components.NeutralBrand()}))
	if doc.Find("style").Length() != 0 {
		t.Error("neutral brand emits a style element")
	}
	if doc.Find(`[data-testid="company-title"]`).Text() == "" {
		t.Error("no title in the header")
	}
}

func TestFieldKinds(t *testing.T) {
	tests := []struct {
		name  string
		field forms.Field
		value string
		err   string
		check func(t *testing.T, doc *goquery.Document)
	}{
		{"text with autocomplete", forms.Field{Key: "firstname", Kind: forms.KindText, Label: "First name", Required: true, MaxLength: 40}, "Ada", "",
			func(t *testing.T, doc *goquery.Document) {
				in := doc.Find("input#field-firstname")
				wantAttrs(t, in, map[string]string{"name": "firstname", "type": "text", "value": "Ada", "autocomplete": "given-name", "maxlength": "40"})
				if _, ok := in.Attr("required"); !ok {
					t.Error("not required")
				}
				if _, ok := in.Attr("aria-invalid"); ok {
					t.Error("aria-invalid without an error")
				}
				if doc.Find(`label[for="field-firstname"]`).Length() != 1 {
					t.Error("label not tied to input")
				}
			}},
		{"email with help and error", forms.Field{Key: "email", Kind: forms.KindEmail, Label: "Email", Help: "For your receipt."}, "ada@", "Enter a valid email",
			func(t *testing.T, doc *goquery.Document) {
				in := doc.Find("input#field-email")
				wantAttrs(t, in, map[string]string{"type": "email", "autocomplete": "email", "aria-invalid": "true",
					"aria-describedby": "field-email-help field-email-error", "value": "ada@"})
				if doc.Find("#field-email-help").Text() != "For your receipt." {
					t.Error("help text missing")
				}
				if !strings.Contains(doc.Find("#field-email-error").Text(), "Enter a valid email") {
					t.Error("error text missing")
				}
				if !strings.Contains(doc.Find("label").Text(), "(optional)") {
					t.Error("optional field not marked")
				}
			}},
		{"tel", forms.Field{Key: "phone1", Kind: forms.KindTel, Label: "Phone"}, "", "",
			func(t *testing.T, doc *goquery.Document) {
				wantAttrs(t, doc.Find("input#field-phone1"), map[string]string{"type": "tel", "inputmode": "tel", "autocomplete": "tel"})
			}},
		{"number", forms.Field{Key: "employees", Kind: forms.KindNumber, Label: "Employees"}, "", "",
			func(t *testing.T, doc *goquery.Document) {
				wantAttrs(t, doc.Find("input#field-employees"), map[string]string{"type": "text", "inputmode": "numeric"})
			}},
		{"date", forms.Field{Key: "dob", Kind: forms.KindDate, Label: "Date of birth"}, "2000-01-02", "",
			func(t *testing.T, doc *goquery.Document) {
				wantAttrs(t, doc.Find("input#field-dob"), map[string]string{"type": "date", "value": "2000-01-02"})
			}},
		{"select", forms.Field{Key: "how", Kind: forms.KindSelect, Label: "How", Options: []forms.Option{{Value: "ad", Label: "An advert"}, {Value: "friend", Label: "A friend"}}}, "friend", "",
			func(t *testing.T, doc *goquery.Document) {
				sel := doc.Find("select#field-how")
				if sel.AttrOr("name", "") != "how" || sel.Find("option").Length() != 3 {
					t.Errorf("select: %d options", sel.Find("option").Length())
				}
				if got := sel.Find("option[selected]").AttrOr("value", ""); got != "friend" {
					t.Errorf("selected %q", got)
				}
			}},
		{"country", forms.Field{Key: "country", Kind: forms.KindCountry, Label: "Country", Required: true}, "CA", "",
			func(t *testing.T, doc *goquery.Document) {
				sel := doc.Find("select#field-country")
				wantAttrs(t, sel, map[string]string{"autocomplete": "country"})
				if sel.Find("option").Length() < 200 {
					t.Errorf("only %d countries", sel.Find("option").Length())
				}
				if got := sel.Find("option[selected]").Text(); got != "Canada" {
					t.Errorf("selected %q", got)
				}
			}},
		{"radio", forms.Field{Key: "pref", Kind: forms.KindRadio, Label: "Contact by", Required: true, Options: []forms.Option{{Value: "email", Label: "Email"}, {Value: "phone", Label: "Phone"}}}, "phone", "Choose one",
			func(t *testing.T, doc *goquery.Document) {
				if doc.Find("fieldset legend").Text() == "" {
					t.Error("no legend")
				}
				radios := doc.Find(`fieldset input[type="radio"][name="pref"]`)
				if radios.Length() != 2 {
					t.Fatalf("%d radios", radios.Length())
				}
				if radios.First().AttrOr("id", "") != "field-pref" {
					t.Error("the first radio is not the error link's target")
				}
				radios.Each(func(_ int, s *goquery.Selection) {
					if doc.Find(`label[for="`+s.AttrOr("id", "")+`"]`).Length() != 1 {
						t.Errorf("radio %s has no label", s.AttrOr("id", ""))
					}
				})
				if got := doc.Find("input[checked]").AttrOr("value", ""); got != "phone" {
					t.Errorf("checked %q", got)
				}
				wantAttrs(t, radios.First(), map[string]string{"aria-invalid": "true", "aria-describedby": "field-pref-error"})
			}},
		{"checkbox", forms.Field{Key: "news", Kind: forms.KindCheckbox, Label: "Send me news"}, forms.CheckboxChecked, "",
			func(t *testing.T, doc *goquery.Document) {
				in := doc.Find(`input#field-news[type="checkbox"]`)
				wantAttrs(t, in, map[string]string{"name": "news", "value": forms.CheckboxChecked})
				if _, ok := in.Attr("checked"); !ok {
					t.Error("not checked")
				}
				if doc.Find(`label[for="field-news"]`).Length() != 1 {
					t.Error("no label")
				}
			}},
		{"textarea", forms.Field{Key: "notes", Kind: forms.KindTextarea, Label: "Notes", MaxLength: 500}, "<b>hi</b>", "",
			func(t *testing.T, doc *goquery.Document) {
				ta := doc.Find("textarea#field-notes")
				if ta.Text() != "<b>hi</b>" || ta.Find("b").Length() != 0 {
					t.Errorf("textarea value not escaped: %q", ta.Text())
				}
				wantAttrs(t, ta, map[string]string{"maxlength": "500"})
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, _ := render(t, components.Field(components.NewField(tt.field, tt.value, tt.err)))
			if doc.Find(`[data-testid="field-`+tt.field.Key+`"]`).Length() != 1 {
				t.Error("no data-testid")
			}
			tt.check(t, doc)
		})
	}
}

func wantAttrs(t *testing.T, s *goquery.Selection, want map[string]string) {
	t.Helper()
	if s.Length() != 1 {
		t.Fatalf("%d elements", s.Length())
	}
	for k, v := range want {
		if got, ok := s.Attr(k); !ok || got != v {
			t.Errorf("%s=%q, want %q", k, got, v)
		}
	}
}

func TestErrorSummary(t *testing.T) {
	doc, _ := render(t, components.ErrorSummary([]components.ErrorItemVM{{Key: "email", Message: "Enter an email"}, {Key: "zip", Message: "Enter a postcode"}}))
	box := doc.Find(`[data-testid="error-summary"]`)
	if box.AttrOr("role", "") != "alert" || box.Find("h2").Text() != "There is a problem" {
		t.Errorf("summary: %v", box.Nodes)
	}
	var hrefs []string
	box.Find("a").Each(func(_ int, s *goquery.Selection) { hrefs = append(hrefs, s.AttrOr("href", "")) })
	if strings.Join(hrefs, " ") != "#field-email #field-zip" {
		t.Errorf("links %v", hrefs)
	}

	doc, html := render(t, components.ErrorSummary(nil))
	if doc.Find(`[data-testid="error-summary"]`).Length() != 0 {
		t.Errorf("summary without errors: %s", html)
	}
}

func TestNewPlan(t *testing.T) {
	p := components.NewPlan(forms.Product{IProduct: 7, Name: "Pro", Currency: "USD", ActivationFee: 0, RecurringFee: 3995, Period: "month"}, true)
	if p.Value() != "7" || p.Recurring != "$39.95" || p.Activation != "" || !p.Selected {
		t.Errorf("%+v", p)
	}
}

func TestWizardURL(t *testing.T) {
	if got := components.WizardURL("demo", forms.StepWelcome); got != "/s/demo/" {
		t.Error(got)
	}
	if got := components.WizardURL("demo", forms.StepPayment); got != "/s/demo/payment" {
		t.Error(got)
	}
}

func TestAsset(t *testing.T) {
	u := components.Asset("css/site.css")
	if !strings.HasPrefix(u, "/static/css/site.css?v=") || len(u) <= len("/static/css/site.css?v=") {
		t.Errorf("asset URL %q has no version", u)
	}
	if got := components.Asset("vendor/missing.js"); got != "/static/vendor/missing.js" {
		t.Errorf("missing asset URL %q", got)
	}
	if got := components.Asset("/css/./site.css"); got != u || !components.HasAsset("/css/./site.css") {
		t.Errorf("a name written otherwise gets %q, not %q", got, u)
	}
}

// TestBrandRenderedOnceSameMarkup checks that the header, footer and colour
// CSS NewBrand renders once are what the layout renders for a brand built
// as a literal, field by field.
func TestBrandRenderedOnceSameMarkup(t *testing.T) {
	cfg := forms.DemoConfig()
	for _, b := range []components.BrandVM{
		components.NewBrand(cfg.Branding, "/s/demo/"),
		components.NewBrand(forms.Branding{}, ""),
		components.NewBrand(forms.Branding{CompanyTitle: "<Ünïcode & \"Co\">", LogoURL: "/media/l.png", PrimaryColor: "#FFFFFF",
			SupportEmail: "a@b.example", SupportPhone: "+1 555 0100", TermsURL: "http://t.example/?a=1&b=2"}, "/s/x/"),
		components.NewBrand(cfg.Branding, "/selfcare/").WithBadge("Secure self-care"),
	} {
		lit := components.BrandVM{CompanyTitle: b.CompanyTitle, LogoURL: b.LogoURL, SubscriptionText: b.SubscriptionText,
			TermsURL: b.TermsURL, SupportEmail: b.SupportEmail, SupportPhone: b.SupportPhone, HomeURL: b.HomeURL,
			Primary: b.Primary, Accent: b.Accent, Background: b.Background, Text: b.Text, Badge: b.Badge}
		steps := components.WizardSteps("demo", forms.StepAddress)
		_, got := render(t, components.Layout(components.Page{Title: "T", Brand: b, Steps: steps}))
		_, want := render(t, components.Layout(components.Page{Title: "T", Brand: lit, Steps: steps}))
		if got != want {
			t.Errorf("brand %q: NewBrand's rendering differs:\n got %s\nwant %s", b.CompanyTitle, got, want)
		}
		if b.IsNeutral() != lit.IsNeutral() {
			t.Errorf("brand %q: IsNeutral %v, of the literal %v", b.CompanyTitle, b.IsNeutral(), lit.IsNeutral())
		}
	}
	if !components.NewBrand(forms.Branding{}, "").IsNeutral() {
		t.Error("NewBrand of nothing is not the neutral brand")
	}
	for _, b := range []components.BrandVM{components.NeutralBrand(), components.NewBrand(cfg.Branding, "/selfcare/")} {
		_, page := render(t, components.Layout(components.Page{Title: "T", Brand: b.WithBadge("Secure self-care")}))
		if !strings.Contains(page, ">Secure self-care</span>") || strings.Contains(page, "Secure signup") {
			t.Errorf("brand %q with a badge: the header does not say it", b.CompanyTitle)
		}
	}
}

// TestTextEscaped checks that the text the hot components write without
// { s } (notice, error summary, plan, progress, help) is escaped as { s } is.
func TestTextEscaped(t *testing.T) {
	const evil = `<script>alert("x")</script> & 'y'`
	const escaped = `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;y&#39;`
	plan := components.PlanVM{IProduct: 1, Name: evil, Description: evil, Recurring: evil, Period: evil, Activation: evil}
	steps := components.WizardSteps("demo", forms.StepAddress)
	steps[0].Name, steps[1].Name = evil, evil
	for name, c := range map[string]templ.Component{
		"notice":  components.Notice(evil),
		"summary": components.ErrorSummary([]components.ErrorItemVM{{Key: "k", Message: evil}}),
		"welcome": components.WelcomePage(components.Page{Title: evil, Brand: components.NewBrand(forms.Branding{CompanyTitle: evil}, "/s/x/"), Steps: steps},
			components.WelcomeVM{Slug: "x", SubscriptionText: evil, Plans: []components.PlanVM{plan}}),
		"field": components.Field(components.NewField(forms.Field{Key: "k", Kind: forms.KindTextarea, Label: "L", Help: evil}, evil, "")),
	} {
		_, html := render(t, c)
		if strings.Contains(html, "<script>") || !strings.Contains(html, escaped) {
			t.Errorf("%s: text not escaped as { s } escapes it: %s", name, html)
		}
	}
}
