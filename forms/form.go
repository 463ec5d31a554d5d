package forms

import "time"

// Tenant is the operator or one of its resellers: it owns forms and admin
// users, and new customers of its forms go under its PortaSwitch reseller.
type Tenant struct {
	ID       int64
	Name     string
	IParent  int64  // PortaSwitch i_customer of the reseller; 0 = none
	Hostname string // optional host name its forms are served on
}

// Form is one signup variant of a tenant, addressed publicly by its slug.
type Form struct {
	ID        int64
	TenantID  int64
	Slug      string
	Name      string
	CreatedAt time.Time
}

// Status is the life-cycle state of a Version.
type Status string

// The states of a version: a form has at most one draft and one published
// version; earlier published versions are archived.
const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
	StatusArchived  Status = "archived"
)

// Version is one immutable revision of a form's configuration.
type Version struct {
	ID          int64
	FormID      int64
	Number      int
	Status      Status
	Author      string
	CreatedAt   time.Time
	PublishedAt *time.Time
	Config      Config
}

// Config is the content of a version: everything the wizard shows. It is
// also the document format of import and export, hence its JSON names.
type Config struct {
	Branding  Branding  `json:"branding"`
	Fields    []Field   `json:"fields"` // the address page, in display order
	Products  []Product `json:"products"`
	Pools     []Pool    `json:"pools"`
	Devices   []Device  `json:"devices"`
	AllowBYOD bool      `json:"allow_byod"`
	// IParent is the PortaSwitch reseller (i_customer) new customers are
	// created under.
	IParent int64 `json:"i_parent"`
}

// Branding is how the wizard looks and what it says about the operator.
type Branding struct {
	CompanyTitle     string `json:"company_title"`
	LogoURL          string `json:"logo_url,omitempty"` // an uploaded logo's path or an https URL
	PrimaryColor     string `json:"primary_color"`      // #rrggbb: buttons, links, accents
	AccentColor      string `json:"accent_color,omitempty"`
	BackgroundColor  string `json:"background_color,omitempty"`
	TextColor        string `json:"text_color,omitempty"`
	SubscriptionText string `json:"subscription_text,omitempty"`
	TermsURL         string `json:"terms_url,omitempty"`
	SupportEmail     string `json:"support_email,omitempty"`
	SupportPhone     string `json:"support_phone,omitempty"`
}

// Kind is the input kind of a Field.
type Kind string

// The field kinds an operator can choose from.
const (
	KindText     Kind = "text"
	KindEmail    Kind = "email"
	KindTel      Kind = "tel"
	KindNumber   Kind = "number"
	KindSelect   Kind = "select"
	KindRadio    Kind = "radio"
	KindCheckbox Kind = "checkbox"
	KindDate     Kind = "date"
	KindCountry  Kind = "country"
	KindTextarea Kind = "textarea"
)

// Kinds lists every field kind, in the order an admin picker shows them.
var Kinds = []Kind{KindText, KindEmail, KindTel, KindNumber, KindSelect, KindRadio,
	KindCheckbox, KindDate, KindCountry, KindTextarea}

// Field is one input of a configurable page. Key is the PortaSwitch customer
// attribute it maps to (firstname, baddr1, zip, ...) or a custom key, which
// is kept as a note.
type Field struct {
	Key         string     `json:"key"`
	Kind        Kind       `json:"kind"`
	Label       string     `json:"label"`
	Help        string     `json:"help,omitempty"`
	Placeholder string     `json:"placeholder,omitempty"`
	Required    bool       `json:"required,omitempty"`
	MinLength   int        `json:"min_length,omitempty"`
	MaxLength   int        `json:"max_length,omitempty"`
	Pattern     string     `json:"pattern,omitempty"` // Go RE2 syntax, matched against the whole value
	Options     []Option   `json:"options,omitempty"` // for select and radio
	ShowWhen    *Condition `json:"show_when,omitempty"`
}

// Option is one choice of a select or radio field.
type Option struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// Condition shows a field only when an earlier field has a given value.
type Condition struct {
	Field  string `json:"field"`
	Equals string `json:"equals"`
}

// Product is a PortaSwitch product offered as a plan, with its fees
// snapshotted from PortaSwitch so that the price shown, charged and recorded
// is the same number.
type Product struct {
	IProduct      int64  `json:"i_product"`
	Name          string `json:"name"`
	Description   string `json:"description,omitempty"`
	Currency      string `json:"currency"`       // ISO 4217
	ActivationFee int64  `json:"activation_fee"` // minor units
	RecurringFee  int64  `json:"recurring_fee"`  // minor units per Period
	Period        string `json:"period"`         // "month", "year", ...
}

// Pool is a PortaSwitch DID batch offered as a source of phone numbers.
type Pool struct {
	IDVBatch int64  `json:"i_dv_batch"`
	Name     string `json:"name"`
	Prefix   string `json:"prefix,omitempty"` // only numbers starting with these digits
}

// Device is an IP phone type a prospect can order with the plan.
type Device struct {
	IUAType     int64  `json:"i_ua_type"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Price       int64  `json:"price"` // minor units, in the products' currency
	ImageURL    string `json:"image_url,omitempty"`
}
