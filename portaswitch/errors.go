package portaswitch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
)

// Fault codes the contract names. The simulator's own codes are listed in the
// doc comment of package sim.
const (
	// CodeAuthFailed means wrong login, password or API token: never retried.
	CodeAuthFailed = "Server.Session.auth_failed"
	// CodeSessionExpired means the access token expired or was revoked.
	CodeSessionExpired = "Server.Session.check_auth.auth_failed"
	// CodeBadAccessToken means the access token could not be read.
	CodeBadAccessToken = "Client.Session.check_auth.failed_to_process_access_token"
	// CodeBadJWT means the access token is not a valid JWT.
	CodeBadJWT = "Client.Session.check_auth.failed_to_process_jwt"
	// CodeDuplicateID answers Account/add_account with an id that exists.
	CodeDuplicateID = "Server.Account.duplicate_id"
	// CodePasswordChangeRequired refuses account-realm calls until the end
	// user has changed a generated web password.
	CodePasswordChangeRequired = "Server.Session.password_change_required"
)

// Fault is an answer from PortaSwitch saying no: HTTP 500 with a faultcode
// and faultstring. The call did not take effect (PortaBilling runs each call
// in one database transaction).
type Fault struct {
	// Service and Method name the call, e.g. "Account" and "add_account".
	Service, Method string
	// FaultCode is PortaSwitch's dotted code, e.g. "Server.Account.duplicate_id".
	FaultCode string `json:"faultcode"`
	// FaultString is the human-readable text, with anything that looks like a
	// card number masked.
	FaultString string `json:"faultstring"`
}

// Error returns "portaswitch Service/method: faultcode: faultstring".
func (f *Fault) Error() string {
	return fmt.Sprintf("portaswitch %s/%s: %s: %s", f.Service, f.Method, f.FaultCode, f.FaultString)
}

// TransportError means the call's outcome is unknown: a timeout, a refused or
// dropped connection, an HTTP status other than 200 and 500, or a body that is
// not JSON. The call may or may not have happened on the server, so a caller
// of a non-idempotent method must look before it repeats.
type TransportError struct {
	// Service and Method name the call.
	Service, Method string
	// StatusCode is the HTTP status when one was received, else 0.
	StatusCode int
	// Err is the underlying cause.
	Err error
}

// Error describes the failure without any request content.
func (e *TransportError) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("portaswitch %s/%s: transport: HTTP %d: %v", e.Service, e.Method, e.StatusCode, e.Err)
	}
	return fmt.Sprintf("portaswitch %s/%s: transport: %v", e.Service, e.Method, e.Err)
}

// Unwrap returns the cause, so errors.Is(err, context.DeadlineExceeded) works.
func (e *TransportError) Unwrap() error { return e.Err }

// Timeout reports whether the call ran out of time.
func (e *TransportError) Timeout() bool {
	if errors.Is(e.Err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(e.Err, &ne) && ne.Timeout()
}

// AsFault returns the *Fault in err's chain, or nil.
func AsFault(err error) *Fault {
	var f *Fault
	if errors.As(err, &f) {
		return f
	}
	return nil
}

// FaultCode returns the faultcode of the *Fault in err's chain, or "".
func FaultCode(err error) string {
	if f := AsFault(err); f != nil {
		return f.FaultCode
	}
	return ""
}

// IsTransport reports whether err is a *TransportError: the outcome of the
// call is unknown.
func IsTransport(err error) bool {
	var t *TransportError
	return errors.As(err, &t)
}

// IsAuthFailed reports whether PortaSwitch refused the login or token.
func IsAuthFailed(err error) bool { return FaultCode(err) == CodeAuthFailed }

// IsSessionExpired reports whether the fault says the session or access token
// is expired or invalid (the client already logged in again once).
func IsSessionExpired(err error) bool { return isSessionExpiredCode(FaultCode(err)) }

func isSessionExpiredCode(code string) bool {
	switch code {
	case CodeSessionExpired, CodeBadAccessToken, CodeBadJWT:
		return true
	}
	return false
}

// IsDuplicateID reports whether Account/add_account found the id taken; the
// contract says to treat it as "maybe mine" and look the account up.
func IsDuplicateID(err error) bool { return FaultCode(err) == CodeDuplicateID }

// IsPasswordChangeRequired reports whether an account-realm call was refused
// until the end user changes the web password.
func IsPasswordChangeRequired(err error) bool {
	return FaultCode(err) == CodePasswordChangeRequired
}

// IsNotFound reports whether the fault says an object does not exist
// (any code ending in ".not_found").
func IsNotFound(err error) bool { return strings.HasSuffix(FaultCode(err), ".not_found") }

// IsDuplicate reports whether the fault says a unique key is taken (a code
// containing ".duplicate_", such as Server.Customer.duplicate_name).
func IsDuplicate(err error) bool { return strings.Contains(FaultCode(err), ".duplicate_") }

// IsDeclined reports whether a charge or card check was refused by the payment
// processor (codes under Server.Payment and Server.PaymentMethod). An
// installation whose server uses other codes changes declinedPrefixes.
func IsDeclined(err error) bool {
	code := FaultCode(err)
	for _, p := range declinedPrefixes {
		if strings.HasPrefix(code, p) {
			return true
		}
	}
	return false
}

// declinedPrefixes is inferred: PortaBilling's payment fault codes are not
// public; these are the simulator's.
var declinedPrefixes = []string{"Server.Payment.", "Server.PaymentMethod.", "Client.PaymentMethod."}
