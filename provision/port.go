package provision

import (
	"context"
	"errors"

	"websignup/forms"
)

// Errors the PortaSwitch adapter classifies its failures into. The runner
// tests for them with errors.Is and errors.As, never by text. Any other
// error means PortaSwitch answered and refused the call (a fault).
var (
	// ErrUnknownOutcome: a transport error (timeout, dropped connection, an
	// unexpected HTTP status): the call may or may not have been applied.
	ErrUnknownOutcome = errors.New("portaswitch: outcome unknown")
	// ErrDuplicate: the name or id already exists (e.g.
	// Server.Account.duplicate_id); look it up, it may be ours.
	ErrDuplicate = errors.New("portaswitch: duplicate")
	// ErrNotFound: a lookup found nothing.
	ErrNotFound = errors.New("portaswitch: not found")
)

// Declined is a card declined at the charge or failing the authorisation
// check when it is registered. Reason is plain words for the prospect and
// never contains the card number.
type Declined struct {
	Reason string
	Err    error // the underlying fault, if any
}

// Error returns "card declined: " and the reason.
func (d *Declined) Error() string { return "card declined: " + d.Reason }

// Unwrap returns the underlying fault.
func (d *Declined) Unwrap() error { return d.Err }

// NewCustomer is what PortaSwitch.AddCustomer creates.
type NewCustomer struct {
	Name       string            // unique; derived from the job (Job.CustomerName)
	IParent    int64             // the reseller; 0 = none
	Currency   string            // ISO 4217
	Attributes map[string]string // further customer_info keys (firstname, email, ...)
}

// NewCharge is one E-Commerce Payment for PortaSwitch.Charge.
type NewCharge struct {
	ICustomer      int64
	Amount         forms.Money // minor units and currency
	Reference      string      // goes into internal_comment; FindCharge looks for it
	VisibleComment string
}

// NewAccount is what PortaSwitch.AddAccount creates.
type NewAccount struct {
	ICustomer   int64
	IProduct    int64
	ID          string // the phone number
	Login       string // web self-care login
	Password    string // web self-care password
	SIPPassword string // h323_password
	Currency    string
	Firstname   string
	Lastname    string
	Email       string
}

// NumberInfo is a number as PortaSwitch.FindNumber sees it.
type NumberInfo struct {
	IDidNumber int64
	Number     string
	ICustomer  int64 // the customer it is assigned to; 0 = none
	IAccount   int64 // the account it is assigned to; 0 = none
}

// AccountInfo is an account as PortaSwitch.FindAccountByID sees it.
type AccountInfo struct {
	IAccount  int64
	ICustomer int64
	ID        string
}

// PortaSwitch is the port the runner provisions through. Implementations
// (provision/psport) classify every failure into ErrUnknownOutcome,
// *Declined, ErrDuplicate, ErrNotFound or another error (a refusal). No
// error may contain a card number or CVV.
type PortaSwitch interface {
	// FindCustomerByName returns the i_customer of the active (not
	// terminated) customer with that exact name, or ErrNotFound.
	FindCustomerByName(ctx context.Context, name string) (int64, error)
	// AddCustomer creates a customer and returns its i_customer;
	// ErrDuplicate if the name exists.
	AddCustomer(ctx context.Context, c NewCustomer) (int64, error)
	// TerminateCustomer terminates the customer (undo before the charge).
	TerminateCustomer(ctx context.Context, iCustomer int64) error
	// AddPaymentMethod registers the card on the customer and returns
	// i_payment_method; *Declined if it fails the authorisation check.
	// Repeating it replaces the card.
	AddPaymentMethod(ctx context.Context, iCustomer int64, card Card) (int64, error)
	// Charge makes one E-Commerce Payment and returns its
	// i_payment_transaction; *Declined if the card is declined. It is not
	// idempotent.
	Charge(ctx context.Context, c NewCharge) (int64, error)
	// FindCharge returns the i_payment_transaction of the customer's
	// successful charge whose internal_comment is reference; *Declined if
	// the only such charges were declined; otherwise ErrNotFound.
	FindCharge(ctx context.Context, iCustomer int64, reference string) (int64, error)
	// FindNumber returns the number's inventory entry with its owner, or
	// ErrNotFound.
	FindNumber(ctx context.Context, number string) (NumberInfo, error)
	// AssignNumber assigns the number to the customer.
	AssignNumber(ctx context.Context, iCustomer, iDidNumber int64) error
	// AddAccount creates the account and returns its i_account;
	// ErrDuplicate if the id exists.
	AddAccount(ctx context.Context, a NewAccount) (int64, error)
	// FindAccountByID returns the account with that id, or ErrNotFound.
	FindAccountByID(ctx context.Context, id string) (AccountInfo, error)
	// AssignNumberToAccount assigns the customer's number to the account.
	AssignNumberToAccount(ctx context.Context, iDidNumber, iAccount int64) error
	// FindFreeDevice returns the i_ua of a device of that type on no
	// account, or ErrNotFound.
	FindFreeDevice(ctx context.Context, iUAType int64) (int64, error)
	// AssignDevice puts the device on the account.
	AssignDevice(ctx context.Context, iAccount, iUA int64) error
	// FindDeviceOnAccount returns the i_ua of the device on the account, or
	// ErrNotFound.
	FindDeviceOnAccount(ctx context.Context, iAccount int64) (int64, error)
}
