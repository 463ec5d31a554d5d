package components

import "strings"

// SelfcareLoginVM is self-care's login page.
type SelfcareLoginVM struct {
	CSRFToken string
	Login     string // kept across a failed attempt; the password never is
	// Error is the one message of a refused login (the same for an unknown
	// login and a wrong password).
	Error string
	// Notice is a neutral message, e.g. "You have logged out".
	Notice string
}

// SelfcarePasswordVM is the first-login password change.
type SelfcarePasswordVM struct {
	CSRFToken string
	Login     string
	// Errors by field key (old_password, new_password,
	// new_password_confirm), in the page's order.
	Errors []ErrorItemVM
	// Required says PortaSwitch demands the change before anything else.
	Required bool
}

// FieldError returns the error of the field key, or "".
func (vm SelfcarePasswordVM) FieldError(key string) string {
	for _, e := range vm.Errors {
		if e.Key == key {
			return e.Message
		}
	}
	return ""
}

// SelfcareOverviewVM is the self-care overview of the subscriber's account.
type SelfcareOverviewVM struct {
	CSRFToken      string
	Number         string
	Plan           string
	Device         string
	Balance        string
	ActivationDate string
	Notice         string
}

// describedBy is the aria-describedby of a self-care field: the rules for
// new passwords, its help and its error, as present.
func describedBy(key, help, errMsg string) string {
	var ids []string
	if key == "new_password" || key == "new_password_confirm" {
		ids = append(ids, "password-rules")
	}
	if help != "" {
		ids = append(ids, FieldID(key)+"-help")
	}
	if errMsg != "" {
		ids = append(ids, FieldID(key)+"-error")
	}
	return strings.Join(ids, " ")
}
