package components

import (
	"strconv"

	"websignup/forms"
)

// FieldVM is one input of a wizard page as the prospect sees it.
type FieldVM struct {
	Key         string // the input's name; its id is FieldID(Key)
	Kind        forms.Kind
	Label       string
	Help        string
	Placeholder string
	Required    bool
	MaxLength   int
	Options     []OptionVM // select and radio; NewField gives country the countries
	Value       string     // what the prospect entered, kept across errors
	Error       string     // what is wrong with Value; "" when nothing is
	// Autocomplete is the HTML autocomplete token; NewField derives it from
	// well-known PortaSwitch keys, a handler may set others (card fields).
	Autocomplete string
	// InputMode is the inputmode hint for on-screen keyboards.
	InputMode string
}

// OptionVM is one choice of a select or radio field.
type OptionVM struct {
	Value string
	Label string
}

// autocompleteTokens maps PortaSwitch customer attributes to the HTML
// autocomplete tokens browsers fill them from.
var autocompleteTokens = map[string]string{
	"firstname":      "given-name",
	"lastname":       "family-name",
	"companyname":    "organization",
	"email":          "email",
	"phone1":         "tel",
	"baddr1":         "address-line1",
	"address_line_2": "address-line2",
	"city":           "address-level2",
	"state":          "address-level1",
	"zip":            "postal-code",
	"country":        "country",
}

// AutocompleteFor returns the autocomplete token for a PortaSwitch key, or ""
// for a key browsers know nothing about.
func AutocompleteFor(key string) string { return autocompleteTokens[key] }

// NewField turns a configured field plus the prospect's value and error into
// a field view model.
func NewField(f forms.Field, value, errMsg string) FieldVM {
	vm := FieldVM{
		Key:          f.Key,
		Kind:         f.Kind,
		Label:        f.Label,
		Help:         f.Help,
		Placeholder:  f.Placeholder,
		Required:     f.Required,
		MaxLength:    f.MaxLength,
		Value:        value,
		Error:        errMsg,
		Autocomplete: AutocompleteFor(f.Key),
	}
	for _, o := range f.Options {
		vm.Options = append(vm.Options, OptionVM(o))
	}
	switch f.Kind {
	case forms.KindTel:
		vm.InputMode = "tel"
	case forms.KindNumber:
		vm.InputMode = "numeric"
	case forms.KindEmail:
		vm.InputMode = "email"
	case forms.KindCountry:
		if len(vm.Options) == 0 {
			vm.Options = countryOptions()
		}
	}
	return vm
}

// ID is the input's id (for radios, the first radio's id), the target of
// the label and of the error summary's link.
func (f FieldVM) ID() string { return FieldID(f.Key) }

// HelpID is the id of the field's help text.
func (f FieldVM) HelpID() string { return FieldID(f.Key) + "-help" }

// ErrorID is the id of the field's error message.
func (f FieldVM) ErrorID() string { return FieldID(f.Key) + "-error" }

// DescribedBy is the aria-describedby value: the help and error ids present.
func (f FieldVM) DescribedBy() string {
	s := ""
	if f.Help != "" {
		s = f.HelpID()
	}
	if f.Error != "" {
		if s != "" {
			s += " "
		}
		s += f.ErrorID()
	}
	return s
}

// OptionID is the id of the i-th radio of a radio field; the first one is
// the field's own id so that labels and error links land on it.
func (f FieldVM) OptionID(i int) string {
	if i == 0 {
		return f.ID()
	}
	return f.ID() + "-" + strconv.Itoa(i)
}

// Checked reports whether a checkbox field is ticked.
func (f FieldVM) Checked() bool { return f.Value == forms.CheckboxChecked }

func (f FieldVM) htmlType() string {
	switch f.Kind {
	case forms.KindEmail:
		return "email"
	case forms.KindTel:
		return "tel"
	case forms.KindDate:
		return "date"
	default:
		// number too: type=number mangles values such as postcodes and
		// account numbers and is awkward to use; inputmode brings up the
		// numeric keypad instead.
		return "text"
	}
}

// fieldIDs are the ids a field's markup refers to, made once per render:
// the control's (also the wrapper's data-testid and, for radios, the first
// radio's), the help's and error's when the field has them, and the
// aria-describedby that ties them to the control.
type fieldIDs struct {
	id, help, error, errorTestID, describedBy string
}

func (f FieldVM) ids() fieldIDs {
	ids := fieldIDs{id: f.ID()}
	if f.Help != "" {
		ids.help = ids.id + "-help"
	}
	if f.Error != "" {
		ids.error = ids.id + "-error"
		ids.errorTestID = "field-error-" + f.Key
	}
	switch {
	case ids.help != "" && ids.error != "":
		ids.describedBy = ids.help + " " + ids.error
	case ids.help != "":
		ids.describedBy = ids.help
	default:
		ids.describedBy = ids.error
	}
	return ids
}

// option is the id of the i-th radio, as FieldVM.OptionID.
func (ids fieldIDs) option(i int) string {
	if i == 0 {
		return ids.id
	}
	return ids.id + "-" + strconv.Itoa(i)
}

// The widths of a text input (inputWidth).
const (
	inputW10 = "input--w10"
	inputW20 = "input--w20"
)

// inputWidth sizes a text input to what it holds, so a postcode box does not
// stretch across the page.
func inputWidth(f FieldVM) string {
	switch {
	case f.Kind == forms.KindDate:
		return inputW10
	case f.Kind == forms.KindTel || f.Kind == forms.KindNumber:
		return inputW20
	case f.MaxLength > 0 && f.MaxLength <= 12:
		return inputW10
	}
	return ""
}
