package components

import (
	"context"
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/a-h/templ"
)

// This file holds the view models of the form builder: the forms list, the
// draft editor and its sections, versions and their diff, import.

// AdminFormsVM is the forms list of the form builder.
type AdminFormsVM struct {
	Groups      []AdminFormGroup
	ShowTenants bool
	CanWrite    bool
}

// AdminNewFormVM is the create-form page: slug, name and what to start from.
type AdminNewFormVM struct {
	Slug, Name  string
	From        []AdminOption // "demo" or a form id
	Tenants     []AdminOption // for an operator; nil hides the choice
	Errors      []ErrorItemVM
	FieldErrors map[string]string
}

// AdminFormSection is one section of the draft editor, as a tab.
type AdminFormSection struct {
	Key     string // branding, fields, plans, pools, devices, settings
	Label   string
	URL     string
	Current bool
	Errors  int // problems of the draft in this section
}

// AdminEditorVM is what every section of the draft editor shares: the
// form, its state, the section tabs and the errors of the last save.
type AdminEditorVM struct {
	FormID    int64
	Name      string
	Slug      string
	PublicURL string
	// Status says where the form stands, e.g. "Draft (version 4) · live:
	// version 3".
	Status   string
	Live     bool
	HasDraft bool
	// CanWrite shows the inputs enabled and the save and publish buttons;
	// false for a viewer.
	CanWrite bool
	Sections []AdminFormSection
	Section  string
	// Errors is the summary above the section; FieldErrors holds the
	// message per input name of this section.
	Errors      []ErrorItemVM
	FieldErrors map[string]string
	// Elsewhere lists problems in other sections, each with a link.
	Elsewhere []AdminElsewhereError
	Notice    string // e.g. PortaSwitch could not be reached
	Saved     bool   // the section was just saved
	// The editor's actions.
	PreviewURL, VersionsURL, PublishURL, ExportURL, ImportURL string
	CSRFToken                                                 string
}

// AdminElsewhereError is a problem of the draft outside the section shown.
type AdminElsewhereError struct {
	Section string // its label
	URL     string
	Message string
}

// Err returns the message for input name, or "".
func (vm AdminEditorVM) Err(name string) string { return vm.FieldErrors[name] }

// AdminBrandingVM is the branding section.
type AdminBrandingVM struct {
	CompanyTitle     string
	LogoURL          string
	PrimaryColor     string
	AccentColor      string
	BackgroundColor  string
	TextColor        string
	SubscriptionText string
	TermsURL         string
	SupportEmail     string
	SupportPhone     string
	// Warnings are contrast problems of the colours, in words.
	Warnings []string
	// MaxLogoKiB is the largest logo accepted.
	MaxLogoKiB int
}

// AdminFieldsVM is the address fields section: the list.
type AdminFieldsVM struct {
	Fields   []AdminFieldRow
	NewURL   string
	OrderURL string
}

// AdminFieldRow is one field in the list, with its actions.
type AdminFieldRow struct {
	Index     int
	Key       string
	Kind      string
	Label     string
	Required  bool
	Condition string // e.g. "when country = US"; "" for none
	Custom    bool   // the key is not a PortaSwitch attribute
	EditURL   string
	MoveURL   string
	DeleteURL string
	First     bool
	Last      bool
	Error     string // the first problem of this field; "" when none
}

// AdminFieldEditVM is the editor of one field (new when Index < 0).
type AdminFieldEditVM struct {
	Index       int
	Action      string
	BackURL     string
	KeyChoice   string // a PortaSwitch attribute or "custom"
	Key         string // the custom key
	Kind        string
	Label       string
	Help        string
	Placeholder string
	Required    bool
	MinLength   string
	MaxLength   string
	Pattern     string
	Examples    string // one sample answer per line, for the live test
	// Options are the select and radio choices, one "value | label" per line.
	Options        string
	ShowWhenField  string
	ShowWhenEquals string
	KeyOptions     []AdminOption
	KindOptions    []AdminOption
	ConditionOpts  []AdminOption
	PatternTestURL string
	PatternResult  AdminPatternTestVM
}

// AdminPatternTestVM is the live pattern test's answer: one line per
// example.
type AdminPatternTestVM struct {
	Error   string // the pattern does not compile; "" when it does
	Results []AdminPatternResult
}

// AdminPatternResult is one example and whether the field accepts it.
type AdminPatternResult struct {
	Example string
	OK      bool
	Message string // why not, in the prospect's words
}

// AdminPlansVM is the plans section: PortaSwitch's products to pick from.
type AdminPlansVM struct {
	Rows []AdminPlanRow
}

// AdminPlanRow is one product with its fees as PortaSwitch has them.
type AdminPlanRow struct {
	ID          string // i_product, the inputs' suffix
	Offered     bool
	Name        string
	PSName      string
	Description string
	Activation  string // formatted
	Recurring   string // formatted, with the period
	Hidden      bool
	NoFees      bool
	Missing     bool // offered by the form but no longer in PortaSwitch's list
	Changed     bool // PortaSwitch's fees differ from the form's snapshot
	Snapshot    string
}

// AdminPoolsVM is the number pools section.
type AdminPoolsVM struct {
	Rows []AdminPoolRow
}

// AdminPoolRow is one DID batch.
type AdminPoolRow struct {
	ID      string // i_dv_batch
	Offered bool
	Name    string
	PSName  string
	Prefix  string
	Free    string // e.g. "37 free", "200+ free", "unknown"
	Missing bool
}

// AdminDevicesVM is the devices section.
type AdminDevicesVM struct {
	Rows      []AdminDeviceRow
	AllowBYOD bool
	Currency  string
	MaxKiB    int
}

// AdminDeviceRow is one IP phone type.
type AdminDeviceRow struct {
	ID          string // i_ua_type
	Offered     bool
	Name        string
	PSName      string // manufacturer and model
	Description string
	Price       string // decimal in the currency's major unit
	ImageURL    string
	Missing     bool
}

// AdminSettingsVM is the settings section: the form's name and the
// PortaSwitch reseller.
type AdminSettingsVM struct {
	Name          string
	IParent       string
	TenantIParent string
}

// AdminVersionsVM lists the versions of a form.
type AdminVersionsVM struct {
	Versions []AdminVersionRow
	// From and To are the versions compared, as select options.
	From, To []AdminOption
	DiffURL  string
}

// AdminVersionRow is one version.
type AdminVersionRow struct {
	ID          int64
	Number      int
	Status      string
	Author      string
	Created     string
	Published   string
	ExportURL   string
	RollbackURL string // "" when it cannot be rolled back to
	DiffURL     string // against the version before it
}

// AdminDiffVM is the difference between two versions.
type AdminDiffVM struct {
	FromLabel, ToLabel string
	Changes            []AdminChange
	BackURL            string
	From, To           []AdminOption
	Action             string
}

// AdminChange is one difference, in words.
type AdminChange struct {
	Area string // Branding, Fields, Plans, Number pools, Devices, Settings
	Text string
}

// AdminImportVM is the import page.
type AdminImportVM struct {
	Action string
	Errors []ErrorItemVM
	// Problems are the validation errors of a refused document.
	Problems []AdminImportProblem
	Publish  bool
}

// AdminImportProblem is one validation error of an imported document.
type AdminImportProblem struct {
	Path    string
	Message string
}

// AdminPreviewVM is the banner above a previewed step.
type AdminPreviewVM struct {
	FormName string
	EditURL  string
	Steps    []AdminOption // Value is the URL, Selected the current step
	Version  string        // e.g. "Draft (version 4)"
}

// adminSwatches writes, in a nonce'd style element, one class per colour
// input so that its swatch shows the colour: only #rrggbb values that pass
// safeColor ever reach it (CSP forbids style attributes).
func adminSwatches(colours map[string]string) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		var sb strings.Builder
		for _, k := range []string{"primary_color", "accent_color", "background_color", "text_color"} {
			if c := safeColor(colours[k]); c != "" {
				fmt.Fprintf(&sb, ".swatch--%s{background:%s}", k, c)
			}
		}
		if sb.Len() == 0 {
			return nil
		}
		nonce := ""
		if n := templ.GetNonce(ctx); n != "" {
			nonce = ` nonce="` + html.EscapeString(n) + `"`
		}
		_, err := io.WriteString(w, `<style`+nonce+`>`+sb.String()+`</style>`)
		return err
	})
}

func (vm AdminBrandingVM) colours() map[string]string {
	return map[string]string{
		"primary_color": vm.PrimaryColor, "accent_color": vm.AccentColor,
		"background_color": vm.BackgroundColor, "text_color": vm.TextColor,
	}
}

// adminErrClass marks an input's wrapper when it has an error.
func adminErrClass(msg string) string {
	if msg != "" {
		return "field field--error"
	}
	return "field"
}

func adminDescribed(key, help, msg string) string {
	var parts []string
	if help != "" {
		parts = append(parts, FieldID(key)+"-help")
	}
	if msg != "" {
		parts = append(parts, FieldID(key)+"-error")
	}
	return strings.Join(parts, " ")
}

// sectionURL is the address of a section of this form's editor.
func (vm AdminEditorVM) sectionURL(key string) string {
	return fmt.Sprintf("/admin/forms/%d/edit/%s", vm.FormID, key)
}
