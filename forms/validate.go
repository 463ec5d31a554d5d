package forms

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// The names of the wizard's own inputs. A configured field may not use them
// as its key, so that the address page's answers can never shadow the plan,
// the number, the device, the card, the terms box, the CSRF token or the
// honeypot. Handlers and components use these constants as input names.
const (
	InputProduct     = "product"
	InputNumber      = "number"
	InputDevice      = "device"
	InputAcceptTerms = "accept_terms"
	InputCSRF        = "_csrf"
	// InputHoneypot is a field hidden from people; a bot that fills it in
	// is refused.
	InputHoneypot = "hp_url"
	// InputCardPrefix starts the names of the payment step's inputs
	// (card_name, card_number, card_exp_month, card_exp_year, card_cvv: the
	// InputCard constants) and of the summary's sealed card (card_token).
	InputCardPrefix = "card_"
)

// ReservedKeys lists the keys a field may not have (see the Input
// constants); every key starting with ReservedKeyPrefixes is reserved too.
var ReservedKeys = []string{InputProduct, InputNumber, InputDevice, InputAcceptTerms, InputCSRF, InputHoneypot}

// ReservedKeyPrefixes lists the prefixes no field key may start with.
var ReservedKeyPrefixes = []string{InputCardPrefix}

// IsReservedKey reports whether key is one of the wizard's own input names.
func IsReservedKey(key string) bool {
	if slices.Contains(ReservedKeys, key) {
		return true
	}
	for _, p := range ReservedKeyPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// Periods lists the recurring periods a product may have.
var Periods = []string{"day", "week", "month", "year"}

// Limits of a configuration.
const (
	// MaxKeyLength is the longest a field key may be.
	MaxKeyLength = 40
	// MaxValueLength caps every answer, with or without a MaxLength.
	MaxValueLength = 1000
	// MaxAmount caps every fee and price (in minor units), so that a
	// charge's total can never overflow.
	MaxAmount = 1_000_000_000_000
	// MaxTextLength caps labels, names and other short configured texts.
	MaxTextLength = 200
	// MaxLongTextLength caps help, descriptions and the subscription text.
	MaxLongTextLength = 5000
)

var (
	keyRE    = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	colourRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// validStatus reports whether s is a known version status.
func validStatus(s Status) bool {
	return s == StatusDraft || s == StatusPublished || s == StatusArchived
}

// Validate checks a version: its number, status and configuration. It
// returns nil or a ValidationErrors (code EInvalid) with one entry per
// problem; configuration paths are those of Config.Validate.
func (v Version) Validate() error {
	var errs ValidationErrors
	if v.Number < 0 {
		errs = append(errs, ValidationError{"number", "The version number cannot be negative"})
	}
	if !validStatus(v.Status) {
		errs = append(errs, ValidationError{"status", "The status must be draft, published or archived"})
	}
	if err := v.Config.Validate(); err != nil {
		errs = append(errs, err.(ValidationErrors)...)
	}
	return errs.Err()
}

// Validate checks a configuration and returns nil or a ValidationErrors
// (code EInvalid) with one precise entry per problem, at paths such as
// "fields[3].pattern" or "products[1].currency", in document order.
func (c Config) Validate() error {
	var v validator
	v.branding(c.Branding)
	v.fields(c.Fields)
	v.products(c.Products)
	v.pools(c.Pools)
	v.devices(c.Devices, c.AllowBYOD)
	if c.IParent < 0 {
		v.add("i_parent", "The reseller (i_parent) cannot be negative; use 0 for none")
	}
	return v.errs.Err()
}

type validator struct{ errs ValidationErrors }

func (v *validator) add(path, format string, args ...any) {
	v.errs = append(v.errs, ValidationError{Path: path, Message: fmt.Sprintf(format, args...)})
}

// text checks an optional configured text for length and control characters.
func (v *validator) text(path, s string, limit int) {
	switch {
	case !utf8.ValidString(s):
		v.add(path, "Use valid UTF-8 text")
	case utf8.RuneCountInString(s) > limit:
		v.add(path, "Use %d characters or fewer", limit)
	case hasControl(s, limit > MaxTextLength):
		v.add(path, "Remove the control characters")
	}
}

// required checks a configured text that must not be blank.
func (v *validator) required(path, s, what string, limit int) {
	if strings.TrimSpace(s) == "" {
		v.add(path, "Enter %s", what)
		return
	}
	v.text(path, s, limit)
}

// hasControl reports whether s holds a control character; newlines and tabs
// are allowed in multi-line texts.
func hasControl(s string, multiline bool) bool {
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t' || r == '\r') {
			continue
		}
		if isControl(r) {
			return true
		}
	}
	return false
}

func (v *validator) branding(b Branding) {
	v.required("branding.company_title", b.CompanyTitle, "the company title", MaxTextLength)
	v.url("branding.logo_url", b.LogoURL)
	v.colour("branding.primary_color", b.PrimaryColor, true)
	v.colour("branding.accent_color", b.AccentColor, false)
	v.colour("branding.background_color", b.BackgroundColor, false)
	v.colour("branding.text_color", b.TextColor, false)
	v.text("branding.subscription_text", b.SubscriptionText, MaxLongTextLength)
	v.url("branding.terms_url", b.TermsURL)
	if b.SupportEmail != "" && !validEmail(b.SupportEmail) {
		v.add("branding.support_email", "Enter the support email address in the correct format, like support@example.com")
	}
	v.text("branding.support_phone", b.SupportPhone, 40)
}

func (v *validator) colour(path, s string, required bool) {
	if s == "" && !required {
		return
	}
	if !colourRE.MatchString(s) {
		v.add(path, "Use a colour in the form #rrggbb, like #0b5fff")
	}
}

// url checks an optional link: an absolute http(s) URL with a host, or a
// path on this site starting with "/" (but not "//", which would leave it).
func (v *validator) url(path, s string) {
	if s != "" && !validLink(s) {
		v.add(path, "Use an http:// or https:// address, or a path on this site starting with /")
	}
}

func validLink(s string) bool {
	if len(s) > 2000 || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == '\\' || isControl(r) }) {
		return false
	}
	if strings.HasPrefix(s, "/") {
		if strings.HasPrefix(s, "//") {
			return false
		}
		_, err := url.Parse(s)
		return err == nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil {
		return false
	}
	return u.Scheme == "http" || u.Scheme == "https"
}

// patternKinds are the kinds whose free text a pattern applies to.
var patternKinds = []Kind{KindText, KindTextarea, KindEmail, KindTel, KindNumber}

// lengthKinds are the kinds whose free text a length applies to.
var lengthKinds = patternKinds

func (v *validator) fields(fields []Field) {
	index := make(map[string]int, len(fields)) // key → position of its first use
	for i, f := range fields {
		p := fmt.Sprintf("fields[%d]", i)
		switch {
		case f.Key == "":
			v.add(p+".key", "Enter a key")
		case len(f.Key) > MaxKeyLength:
			v.add(p+".key", "Use a key of %d characters or fewer", MaxKeyLength)
		case !keyRE.MatchString(f.Key):
			v.add(p+".key", "Use lower-case letters, digits and underscores, starting with a letter")
		case IsReservedKey(f.Key):
			v.add(p+".key", "The key %q is used by the wizard itself; choose another", f.Key)
		default:
			if j, dup := index[f.Key]; dup {
				v.add(p+".key", "The key %q is already used by fields[%d]", f.Key, j)
			}
		}
		if _, seen := index[f.Key]; !seen && f.Key != "" {
			index[f.Key] = i
		}

		known := slices.Contains(Kinds, f.Kind)
		if !known {
			v.add(p+".kind", "Choose a known kind (text, email, tel, number, select, radio, checkbox, date, country or textarea)")
		}
		v.required(p+".label", f.Label, "a label", MaxTextLength)
		v.text(p+".help", f.Help, MaxLongTextLength)
		v.text(p+".placeholder", f.Placeholder, MaxTextLength)

		v.lengths(p, f, known)
		v.pattern(p, f, known)
		v.options(p, f, known)
		v.condition(p, i, f, fields, index)
	}
}

func (v *validator) lengths(p string, f Field, known bool) {
	if f.MinLength < 0 {
		v.add(p+".min_length", "The minimum length cannot be negative")
	}
	if f.MaxLength < 0 {
		v.add(p+".max_length", "The maximum length cannot be negative")
	}
	if f.MaxLength > MaxValueLength {
		v.add(p+".max_length", "The maximum length can be at most %d", MaxValueLength)
	}
	if f.MinLength > 0 && f.MaxLength > 0 && f.MinLength > f.MaxLength {
		v.add(p+".min_length", "The minimum length %d is more than the maximum length %d", f.MinLength, f.MaxLength)
	} else if f.MinLength > MaxValueLength {
		v.add(p+".min_length", "The minimum length can be at most %d", MaxValueLength)
	}
	if known && (f.MinLength > 0 || f.MaxLength > 0) && !slices.Contains(lengthKinds, f.Kind) {
		v.add(p+".max_length", "A length does not apply to a %s field", f.Kind)
	}
}

func (v *validator) pattern(p string, f Field, known bool) {
	if f.Pattern == "" {
		return
	}
	if known && !slices.Contains(patternKinds, f.Kind) {
		v.add(p+".pattern", "A pattern does not apply to a %s field", f.Kind)
		return
	}
	if len(f.Pattern) > 500 {
		v.add(p+".pattern", "Use a pattern of 500 characters or fewer")
		return
	}
	if _, err := compilePattern(f.Pattern); err != nil {
		v.add(p+".pattern", "The pattern is not a valid regular expression (Go RE2 syntax)")
	}
}

// compilePattern compiles a field's pattern so that it must match the whole
// value. The pattern must compile on its own first: ")|.*(" would otherwise
// break out of the anchors and match anything.
func compilePattern(p string) (*regexp.Regexp, error) {
	if _, err := regexp.Compile(p); err != nil {
		return nil, err
	}
	return regexp.Compile(`^(?:` + p + `)$`)
}

func (v *validator) options(p string, f Field, known bool) {
	hasOptions := f.Kind == KindSelect || f.Kind == KindRadio
	if !hasOptions {
		if known && len(f.Options) > 0 {
			v.add(p+".options", "Options apply only to select and radio fields")
		}
		return
	}
	if len(f.Options) == 0 {
		v.add(p+".options", "Add at least one option")
		return
	}
	seen := make(map[string]int, len(f.Options))
	for j, o := range f.Options {
		op := fmt.Sprintf("%s.options[%d]", p, j)
		if strings.TrimSpace(o.Value) == "" {
			v.add(op+".value", "Enter a value")
		} else if strings.TrimSpace(o.Value) != o.Value {
			v.add(op+".value", "Remove the spaces around the value")
		} else if k, dup := seen[o.Value]; dup {
			v.add(op+".value", "The value %q is already used by options[%d]", o.Value, k)
		} else {
			v.text(op+".value", o.Value, MaxTextLength)
			seen[o.Value] = j
		}
		v.required(op+".label", o.Label, "a label", MaxTextLength)
	}
}

func (v *validator) condition(p string, i int, f Field, fields []Field, index map[string]int) {
	c := f.ShowWhen
	if c == nil {
		return
	}
	cp := p + ".show_when"
	j, earlier := index[c.Field]
	switch {
	case c.Field == "":
		v.add(cp+".field", "Choose the field this one depends on")
		return
	case c.Field == f.Key:
		v.add(cp+".field", "A field cannot depend on itself")
		return
	case !earlier || j >= i:
		if slices.ContainsFunc(fields, func(g Field) bool { return g.Key == c.Field }) {
			v.add(cp+".field", "The field %q comes later; a field can only depend on an earlier one", c.Field)
		} else {
			v.add(cp+".field", "There is no field %q", c.Field)
		}
		return
	}
	target := fields[j]
	switch target.Kind {
	case KindSelect, KindRadio:
		if !slices.ContainsFunc(target.Options, func(o Option) bool { return o.Value == c.Equals }) {
			v.add(cp+".equals", "%q is not one of the options of %q", c.Equals, c.Field)
		}
	case KindCheckbox:
		if c.Equals != CheckboxChecked && c.Equals != "" {
			v.add(cp+".equals", "A checkbox is %q when ticked and empty when not", CheckboxChecked)
		}
	case KindCountry:
		if c.Equals != "" && !ValidCountry(c.Equals) {
			v.add(cp+".equals", "Use an ISO 3166-1 country code, like US")
		} else if c.Equals != strings.ToUpper(c.Equals) {
			v.add(cp+".equals", "Write the country code in capitals, like US")
		}
	}
	v.text(cp+".equals", c.Equals, MaxTextLength)
}

func (v *validator) products(products []Product) {
	if len(products) == 0 {
		v.add("products", "Add at least one product")
		return
	}
	seen := make(map[int64]int, len(products))
	currency, currencyAt := "", -1
	for i, pr := range products {
		p := fmt.Sprintf("products[%d]", i)
		if pr.IProduct <= 0 {
			v.add(p+".i_product", "The PortaSwitch product (i_product) must be a positive number")
		} else if j, dup := seen[pr.IProduct]; dup {
			v.add(p+".i_product", "The product %d is already offered by products[%d]", pr.IProduct, j)
		} else {
			seen[pr.IProduct] = i
		}
		v.required(p+".name", pr.Name, "a name", MaxTextLength)
		v.text(p+".description", pr.Description, MaxLongTextLength)
		switch {
		case pr.Currency == "":
			v.add(p+".currency", "Enter the currency, like USD")
		case !ValidCurrency(pr.Currency):
			v.add(p+".currency", "Use a three-letter ISO 4217 currency code in capitals, like USD")
		case currencyAt < 0:
			currency, currencyAt = pr.Currency, i
		case pr.Currency != currency:
			v.add(p+".currency", "All products must use the same currency; products[%d] uses %s", currencyAt, currency)
		}
		v.amount(p+".activation_fee", "fee", pr.ActivationFee)
		v.amount(p+".recurring_fee", "fee", pr.RecurringFee)
		if !slices.Contains(Periods, pr.Period) {
			v.add(p+".period", "Choose a period: %s", strings.Join(Periods, ", "))
		}
	}
}

func (v *validator) amount(path, what string, a int64) {
	if a < 0 {
		v.add(path, "The %s cannot be negative", what)
	} else if a > MaxAmount {
		v.add(path, "The %s is too large", what)
	}
}

func (v *validator) pools(pools []Pool) {
	if len(pools) == 0 {
		v.add("pools", "Add at least one number pool; the phone step needs numbers to offer")
		return
	}
	seen := make(map[int64]int, len(pools))
	for i, pl := range pools {
		p := fmt.Sprintf("pools[%d]", i)
		if pl.IDVBatch <= 0 {
			v.add(p+".i_dv_batch", "The PortaSwitch DID batch (i_dv_batch) must be a positive number")
		} else if j, dup := seen[pl.IDVBatch]; dup {
			v.add(p+".i_dv_batch", "The batch %d is already offered by pools[%d]", pl.IDVBatch, j)
		} else {
			seen[pl.IDVBatch] = i
		}
		v.required(p+".name", pl.Name, "a name", MaxTextLength)
		if len(pl.Prefix) > 15 || strings.ContainsFunc(pl.Prefix, func(r rune) bool { return r < '0' || r > '9' }) {
			v.add(p+".prefix", "Use digits only, at most 15, like 1604")
		}
	}
}

func (v *validator) devices(devices []Device, byod bool) {
	if len(devices) == 0 && !byod {
		v.add("devices", "Offer at least one device or allow bring-your-own")
	}
	seen := make(map[int64]int, len(devices))
	for i, d := range devices {
		p := fmt.Sprintf("devices[%d]", i)
		if d.IUAType <= 0 {
			v.add(p+".i_ua_type", "The PortaSwitch device type (i_ua_type) must be a positive number")
		} else if j, dup := seen[d.IUAType]; dup {
			v.add(p+".i_ua_type", "The device type %d is already offered by devices[%d]", d.IUAType, j)
		} else {
			seen[d.IUAType] = i
		}
		v.required(p+".name", d.Name, "a name", MaxTextLength)
		v.text(p+".description", d.Description, MaxLongTextLength)
		v.amount(p+".price", "price", d.Price)
		v.url(p+".image_url", d.ImageURL)
	}
}
