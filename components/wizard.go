package components

import (
	"strconv"

	"websignup/forms"
)

// FormVM is what every wizard step's form shares: where it posts, the CSRF
// token, the error summary and a notice.
type FormVM struct {
	Slug string
	// CSRFToken, when set, is sent back in a hidden CSRFFieldName field.
	CSRFToken string
	// Errors are listed at the top of the page, each linking to its field.
	Errors []ErrorItemVM
	// Notice is a neutral message above the form; may be empty.
	Notice string
}

// AddressVM is the address step: the configured fields, in order.
type AddressVM struct {
	FormVM
	Fields []AddressFieldVM
}

// AddressFieldVM is one configured field of the address step with its
// display condition. A conditional field whose condition is not met is
// rendered hidden; the wizard script shows it when the prospect picks the
// value it waits for.
type AddressFieldVM struct {
	Field FieldVM
	// ShowWhenKey and ShowWhenEquals are the condition: the field is shown
	// when the field ShowWhenKey has the value ShowWhenEquals. Both are ""
	// for an unconditional field.
	ShowWhenKey    string
	ShowWhenEquals string
	Hidden         bool
}

// PhoneVM is the phone step: the number search and list, and the devices.
type PhoneVM struct {
	FormVM
	Numbers NumberListVM
	Devices []DeviceVM
	// DeviceError says why the device choice was refused; "" when it was not.
	DeviceError string
}

// NumberListVM is the number search's state and result: the part of the
// phone page that the search replaces in place.
type NumberListVM struct {
	Slug    string
	Query   string // the digits searched for
	PoolID  int64  // the pool searched
	Pools   []PoolOptionVM
	Numbers []NumberOptionVM
	// Error says why the number choice was refused (e.g. just taken).
	Error string
	// Unavailable is set when the list could not be loaded.
	Unavailable bool
	// More is set when the pool has free numbers besides those listed.
	More bool
}

// PoolOptionVM is one number pool as a choice of the search.
type PoolOptionVM struct {
	ID       int64
	Name     string
	Selected bool
}

// Value is the pool's i_dv_batch as the select's value.
func (p PoolOptionVM) Value() string { return strconv.FormatInt(p.ID, 10) }

// NumberOptionVM is one free number as a choice.
type NumberOptionVM struct {
	Number   string // the value posted: digits as PortaSwitch has them
	Display  string // formatted for people, e.g. "+1 206-555-0134"
	Selected bool
}

// DeviceVM is an IP phone on offer, or bringing your own.
type DeviceVM struct {
	Value       string // i_ua_type in decimal, or forms.DeviceBYOD
	Name        string
	Description string
	Price       string // formatted, e.g. "$49.00"
	ImageURL    string // safe; the neutral phone picture when the device has none
	BYOD        bool
	Selected    bool
}

// phonePicture is the picture of a device that has none of its own.
const phonePicture = "img/phone.svg"

// NewDevice turns an offered device into a choice. Its image URL is kept
// only if it is a path on this site or an https URL.
func NewDevice(d forms.Device, price forms.Money, selected bool) DeviceVM {
	img := safeImageURL(d.ImageURL)
	if img == "" {
		img = Asset(phonePicture)
	}
	return DeviceVM{
		Value:       strconv.FormatInt(d.IUAType, 10),
		Name:        d.Name,
		Description: d.Description,
		Price:       price.String(),
		ImageURL:    img,
		Selected:    selected,
	}
}

// NewBYOD is the "bring your own device" choice.
func NewBYOD(currency string, selected bool) DeviceVM {
	return DeviceVM{
		Value:       forms.DeviceBYOD,
		Name:        "Bring your own phone",
		Description: "Use a SIP phone or app you already have. We'll send you the settings.",
		Price:       forms.Money{Currency: currency}.String(),
		BYOD:        true,
		Selected:    selected,
	}
}

// ChargesVM is what the prospect pays today, line by line.
type ChargesVM struct {
	Lines []ChargeLineVM
	Total string
}

// ChargeLineVM is one line of ChargesVM.
type ChargeLineVM struct {
	Label  string
	Amount string
}

// NewCharges formats a charge for display.
func NewCharges(ch forms.Charge) ChargesVM {
	vm := ChargesVM{Total: ch.Total.String()}
	for _, l := range ch.Lines {
		vm.Lines = append(vm.Lines, ChargeLineVM{Label: l.Label, Amount: l.Amount.String()})
	}
	return vm
}

// PaymentVM is the payment step: the charges and the card fields.
type PaymentVM struct {
	FormVM
	Charges ChargesVM
	// PlanName and the recurring price say what follows after today.
	PlanName  string
	Recurring string
	Period    string
	// The card fields, built by the handler: holder, number, expiry month
	// and year, CVV.
	Name, Number, ExpMonth, ExpYear, CVV FieldVM
}

// SummaryVM is the review step and the Sign up form.
type SummaryVM struct {
	FormVM
	Details  []SummaryRowVM
	PlanName string
	// Recurring and Period are the plan's price after today.
	Recurring string
	Period    string
	Number    string // formatted
	Device    string // the device's name, or "Your own phone"
	Charges   ChargesVM
	CardBrand string
	CardLast4 string
	// CardToken is the sealed card, posted back with Sign up.
	CardToken string
	TermsURL  string
	// TermsError says the terms were not accepted; "" when nothing is wrong.
	TermsError string
	// Problem says, in plain words, why the last Sign up failed (nothing
	// was charged); shown with the support contact. "" when none did.
	Problem string
}

// SummaryRowVM is one answer of the address step as the summary shows it.
type SummaryRowVM struct {
	Key   string
	Label string
	Value string
}

// SignupURL is where the summary's Sign up button posts.
func (vm SummaryVM) SignupURL() string { return WizardURL(vm.Slug, "signup") }

// stepURL is the path of a step of the form vm belongs to.
func (vm FormVM) stepURL(s forms.Step) string { return WizardURL(vm.Slug, s) }

// NumberListURL is the path of the number search's fragment: the list
// alone, for htmx to swap in.
func NumberListURL(slug string) string { return WizardURL(slug, forms.StepPhone) + "/numbers" }

// optionID is the id of the i-th radio of a choice named key; the first is
// FieldID(key), where the error summary's link lands.
func optionID(key string, i int) string {
	if i == 0 {
		return FieldID(key)
	}
	return FieldID(key) + "-" + strconv.Itoa(i)
}

func deviceDescribedBy(vm PhoneVM) string {
	if vm.DeviceError != "" {
		return "device-help device-error"
	}
	return "device-help"
}

func numberDescribedBy(vm NumberListVM) string {
	if vm.Error != "" {
		return "number-help number-error"
	}
	return "number-help"
}

func termsDescribedBy(vm SummaryVM) string {
	s := ""
	if vm.TermsURL != "" {
		s = FieldID(forms.InputAcceptTerms) + "-help"
	}
	if vm.TermsError != "" {
		if s != "" {
			s += " "
		}
		s += FieldID(forms.InputAcceptTerms) + "-error"
	}
	return s
}

func ariaBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// numberCount says how many numbers the list shows, for everyone and for
// screen readers when htmx replaces the list.
func numberCount(vm NumberListVM) string {
	switch {
	case vm.Unavailable:
		return "We couldn't load the available numbers just now. Please search again in a moment."
	case len(vm.Numbers) == 0 && vm.Query != "":
		return "No free numbers match " + vm.Query + ". Try fewer digits or another area."
	case len(vm.Numbers) == 0:
		return "There are no free numbers in this area right now. Try another area."
	case vm.More:
		return "Showing " + strconv.Itoa(len(vm.Numbers)) + " free numbers. Search to see others."
	case len(vm.Numbers) == 1:
		return "1 number available"
	}
	return strconv.Itoa(len(vm.Numbers)) + " numbers available"
}
