package components

import (
	"strconv"

	"github.com/a-h/templ"

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

// controlAttrs are the attributes every kind of control shares: the
// accessible description, the invalid state, required, and the hints for
// autofill and on-screen keyboards. Empty ones are left out. They are in
// the order of their names (as templ.Attributes would render them), built
// as a slice: a page renders a dozen fields and this needs no map or sort.
func (f FieldVM) controlAttrs() templ.OrderedAttributes {
	a := make(templ.OrderedAttributes, 0, 8)
	if d := f.DescribedBy(); d != "" {
		a = append(a, templ.KeyValue[string, any]{Key: "aria-describedby", Value: d})
	}
	if f.Error != "" {
		a = append(a, templ.KeyValue[string, any]{Key: "aria-invalid", Value: "true"})
	}
	choice := f.Kind == forms.KindRadio || f.Kind == forms.KindCheckbox
	selectLike := f.Kind == forms.KindSelect || f.Kind == forms.KindCountry
	text := !choice && !selectLike
	if !choice && f.Autocomplete != "" {
		a = append(a, templ.KeyValue[string, any]{Key: "autocomplete", Value: f.Autocomplete})
	}
	if !choice && f.InputMode != "" {
		a = append(a, templ.KeyValue[string, any]{Key: "inputmode", Value: f.InputMode})
	}
	if text && f.MaxLength > 0 && f.Kind != forms.KindDate {
		a = append(a, templ.KeyValue[string, any]{Key: "maxlength", Value: strconv.Itoa(f.MaxLength)})
	}
	if text && f.Placeholder != "" {
		a = append(a, templ.KeyValue[string, any]{Key: "placeholder", Value: f.Placeholder})
	}
	a = append(a, templ.KeyValue[string, any]{Key: "required", Value: f.Required})
	if text && f.Kind == forms.KindEmail {
		a = append(a, templ.KeyValue[string, any]{Key: "spellcheck", Value: "false"})
	}
	return a
}

// inputWidth sizes a text input to what it holds, so a postcode box does not
// stretch across the page.
func inputWidth(f FieldVM) string {
	switch {
	case f.Kind == forms.KindDate:
		return "input--w10"
	case f.Kind == forms.KindTel || f.Kind == forms.KindNumber:
		return "input--w20"
	case f.MaxLength > 0 && f.MaxLength <= 12:
		return "input--w10"
	}
	return ""
}
