package forms

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestDemoConfigIsValid(t *testing.T) {
	if err := DemoConfig().Validate(); err != nil {
		t.Fatalf("DemoConfig().Validate() = %v", err)
	}
	v := Version{Number: 1, Status: StatusPublished, Config: DemoConfig()}
	if err := v.Validate(); err != nil {
		t.Fatalf("Version.Validate() = %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	text := func(key, label string) Field { return Field{Key: key, Kind: KindText, Label: label} }
	sel := func(key string, values ...string) Field {
		f := Field{Key: key, Kind: KindSelect, Label: "Choice"}
		for _, v := range values {
			f.Options = append(f.Options, Option{Value: v, Label: strings.ToUpper(v)})
		}
		return f
	}
	tests := []struct {
		name     string
		edit     func(c *Config)
		wantPath string
		wantMsg  string // a substring of the message
	}{
		// fields
		{"empty key", func(c *Config) { c.Fields[0].Key = "" }, "fields[0].key", "Enter a key"},
		{"duplicate key", func(c *Config) { c.Fields[3].Key = "firstname" }, "fields[3].key", "already used by fields[0]"},
		{"key with capital", func(c *Config) { c.Fields[0].Key = "firstName" }, "fields[0].key", "lower-case"},
		{"key starting with digit", func(c *Config) { c.Fields[0].Key = "1name" }, "fields[0].key", "starting with a letter"},
		{"key starting with underscore", func(c *Config) { c.Fields[0].Key = "_name" }, "fields[0].key", "starting with a letter"},
		{"key with dash", func(c *Config) { c.Fields[0].Key = "first-name" }, "fields[0].key", "lower-case"},
		{"key too long", func(c *Config) { c.Fields[0].Key = strings.Repeat("a", 41) }, "fields[0].key", "40 characters"},
		{"reserved product", func(c *Config) { c.Fields[1].Key = "product" }, "fields[1].key", "used by the wizard"},
		{"reserved number", func(c *Config) { c.Fields[1].Key = "number" }, "fields[1].key", "used by the wizard"},
		{"reserved device", func(c *Config) { c.Fields[1].Key = "device" }, "fields[1].key", "used by the wizard"},
		{"reserved card prefix", func(c *Config) { c.Fields[1].Key = "card_number" }, "fields[1].key", "used by the wizard"},
		{"reserved accept_terms", func(c *Config) { c.Fields[1].Key = "accept_terms" }, "fields[1].key", "used by the wizard"},
		{"reserved honeypot", func(c *Config) { c.Fields[1].Key = InputHoneypot }, "fields[1].key", "used by the wizard"},
		{"unknown kind", func(c *Config) { c.Fields[2].Kind = "color" }, "fields[2].kind", "known kind"},
		{"empty kind", func(c *Config) { c.Fields[2].Kind = "" }, "fields[2].kind", "known kind"},
		{"missing label", func(c *Config) { c.Fields[2].Label = "  " }, "fields[2].label", "Enter a label"},
		{"label with control", func(c *Config) { c.Fields[2].Label = "Com\x00pany" }, "fields[2].label", "control"},
		{"label too long", func(c *Config) { c.Fields[2].Label = strings.Repeat("x", MaxTextLength+1) }, "fields[2].label", "200 characters"},
		{"pattern does not compile", func(c *Config) { c.Fields[8].Pattern = "[a-" }, "fields[8].pattern", "not a valid regular expression"},
		{"pattern breaking the anchors", func(c *Config) { c.Fields[8].Pattern = ")|.*(" }, "fields[8].pattern", "not a valid regular expression"},
		{"pattern on a country", func(c *Config) { c.Fields[9].Pattern = "US" }, "fields[9].pattern", "does not apply"},
		{"min > max", func(c *Config) { c.Fields[0].MinLength = 50 }, "fields[0].min_length", "more than the maximum"},
		{"negative min", func(c *Config) { c.Fields[0].MinLength = -1 }, "fields[0].min_length", "negative"},
		{"negative max", func(c *Config) { c.Fields[0].MaxLength = -1 }, "fields[0].max_length", "negative"},
		{"max above the cap", func(c *Config) { c.Fields[0].MaxLength = MaxValueLength + 1 }, "fields[0].max_length", "at most 1000"},
		{"length on a checkbox", func(c *Config) {
			c.Fields = append(c.Fields, Field{Key: "promo", Kind: KindCheckbox, Label: "Send offers", MaxLength: 3})
		}, "fields[10].max_length", "does not apply"},
		{"select without options", func(c *Config) { c.Fields = append(c.Fields, sel("plan_type")) }, "fields[10].options", "at least one option"},
		{"radio without options", func(c *Config) {
			c.Fields = append(c.Fields, Field{Key: "r", Kind: KindRadio, Label: "R"})
		}, "fields[10].options", "at least one option"},
		{"duplicate option value", func(c *Config) { c.Fields = append(c.Fields, sel("s", "a", "b", "a")) }, "fields[10].options[2].value", "already used by options[0]"},
		{"empty option value", func(c *Config) {
			c.Fields = append(c.Fields, Field{Key: "s", Kind: KindSelect, Label: "S", Options: []Option{{"a", "A"}, {"", "None"}}})
		}, "fields[10].options[1].value", "Enter a value"},
		{"option value with spaces", func(c *Config) { c.Fields = append(c.Fields, sel("s", " a")) }, "fields[10].options[0].value", "spaces"},
		{"option without label", func(c *Config) {
			c.Fields = append(c.Fields, Field{Key: "s", Kind: KindSelect, Label: "S", Options: []Option{{Value: "a"}}})
		}, "fields[10].options[0].label", "Enter a label"},
		{"options on a text field", func(c *Config) { c.Fields[0].Options = []Option{{Value: "a", Label: "A"}} }, "fields[0].options", "only to select and radio"},
		{"condition on a missing field", func(c *Config) { c.Fields[2].ShowWhen = &Condition{Field: "nope", Equals: "x"} }, "fields[2].show_when.field", `no field "nope"`},
		{"condition on a later field", func(c *Config) { c.Fields[2].ShowWhen = &Condition{Field: "email", Equals: "x"} }, "fields[2].show_when.field", "comes later"},
		{"condition on itself", func(c *Config) { c.Fields[2].ShowWhen = &Condition{Field: "companyname", Equals: "x"} }, "fields[2].show_when.field", "itself"},
		{"condition without field", func(c *Config) { c.Fields[2].ShowWhen = &Condition{} }, "fields[2].show_when.field", "Choose the field"},
		{"condition on a select with an unknown value", func(c *Config) {
			c.Fields = append(c.Fields, sel("kind", "home", "business"), text("vat", "VAT number"))
			c.Fields[11].ShowWhen = &Condition{Field: "kind", Equals: "school"}
		}, "fields[11].show_when.equals", "not one of the options"},
		{"condition on a checkbox with a bad value", func(c *Config) {
			c.Fields = append(c.Fields, Field{Key: "biz", Kind: KindCheckbox, Label: "Business"}, text("vat", "VAT number"))
			c.Fields[11].ShowWhen = &Condition{Field: "biz", Equals: "on"}
		}, "fields[11].show_when.equals", "ticked"},
		{"condition on a country with a bad code", func(c *Config) {
			c.Fields = append(c.Fields, text("sin", "SIN"))
			c.Fields[10].ShowWhen = &Condition{Field: "country", Equals: "XX"}
		}, "fields[10].show_when.equals", "ISO 3166-1"},

		// products
		{"no product", func(c *Config) { c.Products = nil }, "products", "at least one product"},
		{"duplicate i_product", func(c *Config) { c.Products[2].IProduct = 1 }, "products[2].i_product", "already offered by products[0]"},
		{"zero i_product", func(c *Config) { c.Products[1].IProduct = 0 }, "products[1].i_product", "positive"},
		{"product without name", func(c *Config) { c.Products[1].Name = "" }, "products[1].name", "Enter a name"},
		{"product without currency", func(c *Config) { c.Products[1].Currency = "" }, "products[1].currency", "Enter the currency"},
		{"product with bad currency", func(c *Config) { c.Products[1].Currency = "usd" }, "products[1].currency", "ISO 4217"},
		{"mixed currencies", func(c *Config) { c.Products[1].Currency = "EUR" }, "products[1].currency", "same currency; products[0] uses USD"},
		{"negative activation fee", func(c *Config) { c.Products[0].ActivationFee = -1 }, "products[0].activation_fee", "negative"},
		{"negative recurring fee", func(c *Config) { c.Products[0].RecurringFee = -5 }, "products[0].recurring_fee", "negative"},
		{"huge fee", func(c *Config) { c.Products[0].RecurringFee = MaxAmount + 1 }, "products[0].recurring_fee", "too large"},
		{"unknown period", func(c *Config) { c.Products[0].Period = "fortnight" }, "products[0].period", "Choose a period"},
		{"missing period", func(c *Config) { c.Products[0].Period = "" }, "products[0].period", "Choose a period"},

		// pools
		{"no pool", func(c *Config) { c.Pools = nil }, "pools", "at least one number pool"},
		{"duplicate i_dv_batch", func(c *Config) { c.Pools[1].IDVBatch = 1 }, "pools[1].i_dv_batch", "already offered by pools[0]"},
		{"negative i_dv_batch", func(c *Config) { c.Pools[1].IDVBatch = -1 }, "pools[1].i_dv_batch", "positive"},
		{"prefix with letters", func(c *Config) { c.Pools[0].Prefix = "1604a" }, "pools[0].prefix", "digits only"},
		{"prefix with plus", func(c *Config) { c.Pools[0].Prefix = "+1604" }, "pools[0].prefix", "digits only"},
		{"pool without name", func(c *Config) { c.Pools[0].Name = "" }, "pools[0].name", "Enter a name"},

		// devices
		{"no device and no byod", func(c *Config) { c.Devices = nil; c.AllowBYOD = false }, "devices", "bring-your-own"},
		{"duplicate i_ua_type", func(c *Config) { c.Devices[2].IUAType = 2 }, "devices[2].i_ua_type", "already offered by devices[1]"},
		{"zero i_ua_type", func(c *Config) { c.Devices[0].IUAType = 0 }, "devices[0].i_ua_type", "positive"},
		{"negative price", func(c *Config) { c.Devices[0].Price = -100 }, "devices[0].price", "negative"},
		{"device without name", func(c *Config) { c.Devices[0].Name = "\t" }, "devices[0].name", "Enter a name"},
		{"device image javascript", func(c *Config) { c.Devices[0].ImageURL = "javascript:alert(1)" }, "devices[0].image_url", "https://"},

		// branding
		{"no company title", func(c *Config) { c.Branding.CompanyTitle = "" }, "branding.company_title", "company title"},
		{"no primary colour", func(c *Config) { c.Branding.PrimaryColor = "" }, "branding.primary_color", "#rrggbb"},
		{"named colour", func(c *Config) { c.Branding.AccentColor = "red" }, "branding.accent_color", "#rrggbb"},
		{"short hex colour", func(c *Config) { c.Branding.TextColor = "#fff" }, "branding.text_color", "#rrggbb"},
		{"colour with css injection", func(c *Config) { c.Branding.BackgroundColor = "#ffffff;}" }, "branding.background_color", "#rrggbb"},
		{"terms javascript", func(c *Config) { c.Branding.TermsURL = "javascript:alert(1)" }, "branding.terms_url", "https://"},
		{"terms protocol-relative", func(c *Config) { c.Branding.TermsURL = "//evil.example/x" }, "branding.terms_url", "https://"},
		{"terms relative without slash", func(c *Config) { c.Branding.TermsURL = "terms.html" }, "branding.terms_url", "https://"},
		{"terms without host", func(c *Config) { c.Branding.TermsURL = "https:///x" }, "branding.terms_url", "https://"},
		{"terms with a space", func(c *Config) { c.Branding.TermsURL = "https://example.com/a b" }, "branding.terms_url", "https://"},
		{"logo data url", func(c *Config) { c.Branding.LogoURL = "data:image/png;base64,AAAA" }, "branding.logo_url", "https://"},
		{"support email malformed", func(c *Config) { c.Branding.SupportEmail = "support at example.com" }, "branding.support_email", "correct format"},
		{"support email with name", func(c *Config) { c.Branding.SupportEmail = "Support <s@example.com>" }, "branding.support_email", "correct format"},

		// reseller
		{"negative i_parent", func(c *Config) { c.IParent = -1 }, "i_parent", "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DemoConfig()
			tt.edit(&c)
			err := c.Validate()
			var ve ValidationErrors
			if !errors.As(err, &ve) {
				t.Fatalf("Validate() = %v, want ValidationErrors", err)
			}
			if len(ve) != 1 {
				t.Errorf("want exactly one problem, got %d: %v", len(ve), ve)
			}
			msg := ve.Get(tt.wantPath)
			if msg == "" {
				t.Fatalf("no problem at %s; got %v", tt.wantPath, ve)
			}
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("message at %s = %q, want it to contain %q", tt.wantPath, msg, tt.wantMsg)
			}
			if got := ErrorCode(err); got != EInvalid {
				t.Errorf("ErrorCode = %q, want %q", got, EInvalid)
			}
		})
	}
}

func TestConfigValidateAccepts(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *Config)
	}{
		{"relative logo", func(c *Config) { c.Branding.LogoURL = "/uploads/logo.png" }},
		{"http terms", func(c *Config) { c.Branding.TermsURL = "http://example.com/terms?x=1#a" }},
		{"no optional colours", func(c *Config) { c.Branding.AccentColor, c.Branding.TextColor, c.Branding.BackgroundColor = "", "", "" }},
		{"byod only", func(c *Config) { c.Devices = nil }},
		{"devices only", func(c *Config) { c.AllowBYOD = false }},
		{"no fields", func(c *Config) { c.Fields = nil }},
		{"free products", func(c *Config) {
			for i := range c.Products {
				c.Products[i].ActivationFee, c.Products[i].RecurringFee = 0, 0
			}
		}},
		{"yearly", func(c *Config) { c.Products[0].Period = "year" }},
		{"JPY everywhere", func(c *Config) {
			for i := range c.Products {
				c.Products[i].Currency = "JPY"
			}
		}},
		{"pool with prefix", func(c *Config) { c.Pools[0].Prefix = "1604" }},
		{"key of 40", func(c *Config) { c.Fields[0].Key = "a" + strings.Repeat("_9", 19) + "z" }},
		{"conditions", func(c *Config) {
			c.Fields = append(c.Fields,
				Field{Key: "customer_type", Kind: KindRadio, Label: "Account type", Options: []Option{{"home", "Home"}, {"business", "Business"}}},
				Field{Key: "vat", Kind: KindText, Label: "VAT number", ShowWhen: &Condition{Field: "customer_type", Equals: "business"}},
				Field{Key: "news", Kind: KindCheckbox, Label: "Send me news"},
				Field{Key: "news_topics", Kind: KindTextarea, Label: "Topics", ShowWhen: &Condition{Field: "news", Equals: CheckboxChecked}},
				Field{Key: "sin", Kind: KindText, Label: "SIN", ShowWhen: &Condition{Field: "country", Equals: "CA"}},
			)
		}},
		{"help may span lines", func(c *Config) { c.Fields[0].Help = "Line one.\nLine two." }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DemoConfig()
			tt.edit(&c)
			if err := c.Validate(); err != nil {
				t.Fatalf("Validate() = %v", err)
			}
		})
	}
}

func TestConfigValidateReportsEveryProblem(t *testing.T) {
	var c Config // nothing at all
	err := c.Validate()
	var ve ValidationErrors
	if !errors.As(err, &ve) {
		t.Fatalf("Validate() = %v", err)
	}
	for _, p := range []string{"branding.company_title", "branding.primary_color", "products", "pools", "devices"} {
		if ve.Get(p) == "" {
			t.Errorf("no problem at %s; got %v", p, ve)
		}
	}
	if len(ve) != 5 {
		t.Errorf("got %d problems, want 5: %v", len(ve), ve)
	}
}

func TestVersionValidate(t *testing.T) {
	v := Version{Number: -1, Status: "live", Config: DemoConfig()}
	v.Config.Products[0].Currency = ""
	var ve ValidationErrors
	if !errors.As(v.Validate(), &ve) {
		t.Fatal("want ValidationErrors")
	}
	for _, p := range []string{"number", "status", "products[0].currency"} {
		if ve.Get(p) == "" {
			t.Errorf("no problem at %s; got %v", p, ve)
		}
	}
	for _, s := range []Status{StatusDraft, StatusPublished, StatusArchived} {
		if err := (Version{Status: s, Config: DemoConfig()}).Validate(); err != nil {
			t.Errorf("status %s: %v", s, err)
		}
	}
}

func TestValidationErrorsIsADomainError(t *testing.T) {
	err := error(ValidationErrors{{Path: "products", Message: "Add at least one product"}})
	if got := ErrorCode(err); got != EInvalid {
		t.Errorf("ErrorCode = %q", got)
	}
	if got := ErrorMessage(err); !strings.Contains(got, "products: Add at least one product") {
		t.Errorf("ErrorMessage = %q", got)
	}
	wrapped := errors.Join(errors.New("import"), err)
	var ve ValidationErrors
	if !errors.As(wrapped, &ve) || len(ve) != 1 {
		t.Errorf("errors.As through a wrap: %v", ve)
	}
	if ErrorCode(wrapped) != EInvalid {
		t.Errorf("ErrorCode(wrapped) = %q", ErrorCode(wrapped))
	}
}

func TestIsReservedKey(t *testing.T) {
	for _, k := range []string{"product", "number", "device", "card_cvv", "card_", "accept_terms", "_csrf", InputHoneypot} {
		if !IsReservedKey(k) {
			t.Errorf("IsReservedKey(%q) = false", k)
		}
	}
	for _, k := range []string{"firstname", "phone_number", "cardholder", "products"} {
		if IsReservedKey(k) {
			t.Errorf("IsReservedKey(%q) = true", k)
		}
	}
}

func TestDecodeConfig(t *testing.T) {
	good, err := json.Marshal(DemoConfig())
	if err != nil {
		t.Fatal(err)
	}
	c, err := DecodeConfig(good)
	if err != nil {
		t.Fatalf("DecodeConfig(demo) = %v", err)
	}
	if c.Branding.CompanyTitle != DemoConfig().Branding.CompanyTitle || len(c.Fields) != len(DemoConfig().Fields) {
		t.Errorf("decoded config differs: %+v", c)
	}

	tests := []struct {
		name     string
		data     string
		wantPath string
		wantMsg  string
	}{
		{"empty", ``, "", "JSON object"},
		{"array", `[]`, "", "JSON object"},
		{"null", `null`, "", "JSON object"},
		{"truncated", `{"branding":`, "", "ends too early"},
		{"syntax", `{"branding":}`, "", "not valid JSON"},
		{"unknown field", `{"branding":{"company":"x"}}`, "", `unknown field "company"`},
		{"wrong type", `{"products":[{"i_product":"one"}]}`, "products.i_product", "whole number"},
		{"trailing value", string(good) + ` {}`, "", "nothing after it"},
		{"trailing garbage", string(good) + `x`, "", "nothing after it"},
		{"too large", `{"branding":{"subscription_text":"` + strings.Repeat("x", MaxConfigSize) + `"}}`, "", "larger than"},
		{"invalid config", `{"branding":{"company_title":"X","primary_color":"#000000"},"products":[],"pools":[{"i_dv_batch":1,"name":"A"}],"allow_byod":true}`, "products", "at least one product"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeConfig([]byte(tt.data))
			var ve ValidationErrors
			if !errors.As(err, &ve) {
				t.Fatalf("DecodeConfig = %v, want ValidationErrors", err)
			}
			found := false
			for _, e := range ve {
				if e.Path == tt.wantPath && strings.Contains(e.Message, tt.wantMsg) {
					found = true
				}
			}
			if !found {
				t.Errorf("want %s: …%s…; got %v", tt.wantPath, tt.wantMsg, ve)
			}
			if ErrorCode(err) != EInvalid {
				t.Errorf("ErrorCode = %q", ErrorCode(err))
			}
		})
	}
}
