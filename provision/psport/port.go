// Package psport adapts the PortaSwitch API client (package portaswitch) to
// the port the provisioning runner needs (provision.PortaSwitch). It turns
// domain-shaped calls into API calls and classifies every failure:
//
//   - *portaswitch.TransportError → provision.ErrUnknownOutcome (the call may
//     have happened);
//   - a card fault (portaswitch.IsDeclined) from update_payment_method or
//     make_transaction → *provision.Declined with the reason in plain words;
//   - a duplicate name or id (portaswitch.IsDuplicate, IsDuplicateID) →
//     provision.ErrDuplicate;
//   - a not-found fault, an empty lookup, or a closed (bill_status "C")
//     customer or account → provision.ErrNotFound;
//   - any other *portaswitch.Fault stays as it is: PortaSwitch refused.
//
// Classification is by fault code and error type, never by text. Nothing the
// adapter returns contains a card number or CVV: card faults are rebuilt from
// their code only.
package psport

import (
	"context"
	"fmt"
	"strings"
	"time"

	"websignup/portaswitch"
	"websignup/provision"
)

// Port is a provision.PortaSwitch backed by a *portaswitch.Client in the
// admin or reseller realm.
type Port struct {
	c *portaswitch.Client
	// DevicePort is the line a device is assigned on (Account/assign_ua
	// "port"); 0 means 1.
	DevicePort int
	// PageSize is the limit used when paging through lists; 0 means 100.
	PageSize int
}

var _ provision.PortaSwitch = (*Port)(nil)

// New returns a Port that calls PortaSwitch through c.
func New(c *portaswitch.Client) *Port { return &Port{c: c} }

// classify maps a client error onto the provision error kinds (see the
// package doc). err must be non-nil.
func classify(err error) error {
	switch {
	case portaswitch.IsTransport(err):
		return fmt.Errorf("%w: %w", provision.ErrUnknownOutcome, err)
	case portaswitch.IsDuplicate(err) || portaswitch.IsDuplicateID(err):
		return fmt.Errorf("%w: %w", provision.ErrDuplicate, err)
	case portaswitch.IsNotFound(err):
		return fmt.Errorf("%w: %w", provision.ErrNotFound, err)
	}
	return err
}

// classifyCard is classify for calls that carry or use the card: a card
// fault becomes *provision.Declined with a reason chosen by its code.
func classifyCard(err error) error {
	if !portaswitch.IsDeclined(err) {
		return classify(err)
	}
	f := portaswitch.AsFault(err)
	return &provision.Declined{Reason: declineReason(f.FaultCode), Err: &portaswitch.Fault{
		Service: f.Service, Method: f.Method, FaultCode: f.FaultCode, FaultString: "card refused"}}
}

// declineReason words a card fault for the prospect.
func declineReason(code string) string {
	switch code {
	case "Server.Payment.declined":
		return "Your card was declined by your bank. Please use another card; you have not been charged."
	case "Server.PaymentMethod.authorization_failed":
		return "Your card could not be authorised. Please check the details or use another card; you have not been charged."
	case "Client.PaymentMethod.card_expired":
		return "Your card has expired. Please use another card; you have not been charged."
	case "Client.PaymentMethod.invalid_card_number":
		return "The card number is not valid. Please check it; you have not been charged."
	case "Client.PaymentMethod.invalid_cvv":
		return "The security code (CVV) is not valid. Please check it; you have not been charged."
	}
	return provision.ReasonDeclined
}

// FindCustomerByName implements provision.PortaSwitch: a closed customer
// counts as not found.
func (p *Port) FindCustomerByName(ctx context.Context, name string) (int64, error) {
	ci, err := p.c.GetCustomerInfo(ctx, portaswitch.GetCustomerInfoRequest{Name: name})
	if err != nil {
		return 0, classify(err)
	}
	if ci.BillStatus == "C" || !strings.EqualFold(ci.Name, name) {
		return 0, fmt.Errorf("customer %q: %w", name, provision.ErrNotFound)
	}
	return ci.ICustomer, nil
}

// AddCustomer implements provision.PortaSwitch. Attributes with keys the
// client does not model are ignored.
func (p *Port) AddCustomer(ctx context.Context, c provision.NewCustomer) (int64, error) {
	a := c.Attributes
	info := portaswitch.CustomerInfo{
		Name: c.Name, ISO4217: c.Currency, IParent: c.IParent,
		Firstname: a["firstname"], Lastname: a["lastname"], Companyname: a["companyname"],
		Email: a["email"], Baddr1: a["baddr1"], AddressLine2: a["address_line_2"], City: a["city"],
		State: a["state"], Zip: a["zip"], Country: a["country"], Phone1: a["phone1"],
		ILang: a["i_lang"], Note: a["note"],
	}
	id, err := p.c.AddCustomer(ctx, info)
	if err != nil {
		return 0, classify(err)
	}
	return id, nil
}

// TerminateCustomer implements provision.PortaSwitch.
func (p *Port) TerminateCustomer(ctx context.Context, iCustomer int64) error {
	if err := p.c.TerminateCustomer(ctx, iCustomer); err != nil {
		return classify(err)
	}
	return nil
}

// AddPaymentMethod implements provision.PortaSwitch with
// Customer/update_payment_method; the brand is taken from the card or, if
// empty, from the number's prefix.
func (p *Port) AddPaymentMethod(ctx context.Context, iCustomer int64, card provision.Card) (int64, error) {
	brand := card.Brand
	if brand == "" {
		brand = Brand(card.Number)
	}
	exp := time.Date(card.ExpYear, time.Month(card.ExpMonth)+1, 0, 0, 0, 0, 0, time.UTC) // last day of the month
	id, err := p.c.UpdatePaymentMethod(ctx, iCustomer, portaswitch.PaymentMethodInfo{
		PaymentMethod: brand, Number: card.Number, ExpDate: exp.Format("2006-01-02"),
		CVV: card.CVV, Name: card.Name,
	})
	if err != nil {
		return 0, classifyCard(err)
	}
	return id, nil
}

// Brand names the card brand of a number by its prefix, as
// Customer/update_payment_method wants it; "" if unknown.
func Brand(number string) string {
	has := func(prefixes ...string) bool {
		for _, p := range prefixes {
			if strings.HasPrefix(number, p) {
				return true
			}
		}
		return false
	}
	switch {
	case has("4"):
		return portaswitch.BrandVisa
	case has("34", "37"):
		return portaswitch.BrandAmex
	case has("6011", "65", "644", "645", "646", "647", "648", "649"):
		return portaswitch.BrandDiscover
	case has("51", "52", "53", "54", "55", "22", "23", "24", "25", "26", "27"):
		return portaswitch.BrandMasterCard
	}
	return ""
}

// Charge implements provision.PortaSwitch with one E-Commerce Payment.
func (p *Port) Charge(ctx context.Context, c provision.NewCharge) (int64, error) {
	res, err := p.c.MakeTransaction(ctx, portaswitch.MakeTransactionRequest{
		ICustomer: c.ICustomer, Action: portaswitch.ActionECommercePayment,
		Amount: c.Amount.Amount, ISO4217: c.Amount.Currency,
		VisibleComment: c.VisibleComment, InternalComment: c.Reference,
	})
	if err != nil {
		return 0, classifyCard(err)
	}
	return res.IPaymentTransaction, nil
}

// FindCharge implements provision.PortaSwitch: it returns the completed
// E-Commerce Payment whose internal_comment is reference; if the only such
// transactions were declined, a *provision.Declined; otherwise ErrNotFound.
func (p *Port) FindCharge(ctx context.Context, iCustomer int64, reference string) (int64, error) {
	list, err := p.c.GetTransactionList(ctx, iCustomer)
	if err != nil {
		return 0, classify(err)
	}
	declined := false
	for _, t := range list {
		if t.InternalComment != reference || !strings.EqualFold(t.Action, portaswitch.ActionECommercePayment) {
			continue
		}
		switch t.Status {
		case portaswitch.TransactionDeclined:
			declined = true
		default:
			return t.IPaymentTransaction, nil
		}
	}
	if declined {
		return 0, &provision.Declined{Reason: declineReason("Server.Payment.declined")}
	}
	return 0, fmt.Errorf("transaction %q: %w", reference, provision.ErrNotFound)
}

// FindNumber implements provision.PortaSwitch with DID/get_number_list.
func (p *Port) FindNumber(ctx context.Context, number string) (provision.NumberInfo, error) {
	if number == "" || strings.Contains(number, "%") {
		return provision.NumberInfo{}, fmt.Errorf("number %q: %w", number, provision.ErrNotFound)
	}
	list, err := p.c.GetNumberList(ctx, portaswitch.GetNumberListRequest{Number: number, Usage: portaswitch.UsageAll, Limit: 10})
	if err != nil {
		return provision.NumberInfo{}, classify(err)
	}
	for _, n := range list {
		if n.Number == number {
			return provision.NumberInfo{IDidNumber: n.IDIDNumber, Number: n.Number, ICustomer: n.ICustomer, IAccount: n.IAccount}, nil
		}
	}
	return provision.NumberInfo{}, fmt.Errorf("number %s: %w", number, provision.ErrNotFound)
}

// AssignNumber implements provision.PortaSwitch.
func (p *Port) AssignNumber(ctx context.Context, iCustomer, iDidNumber int64) error {
	if err := p.c.AssignDIDToCustomer(ctx, iCustomer, iDidNumber); err != nil {
		return classify(err)
	}
	return nil
}

// AddAccount implements provision.PortaSwitch: a credit account.
func (p *Port) AddAccount(ctx context.Context, a provision.NewAccount) (int64, error) {
	id, err := p.c.AddAccount(ctx, portaswitch.AccountInfo{
		ICustomer: a.ICustomer, IProduct: a.IProduct, BillingModel: portaswitch.BillingModelCredit,
		ID: a.ID, H323Password: a.SIPPassword, Login: a.Login, Password: a.Password,
		Firstname: a.Firstname, Lastname: a.Lastname, Email: a.Email, ISO4217: a.Currency,
	})
	if err != nil {
		return 0, classify(err)
	}
	return id, nil
}

// FindAccountByID implements provision.PortaSwitch: a closed account counts
// as not found.
func (p *Port) FindAccountByID(ctx context.Context, id string) (provision.AccountInfo, error) {
	ai, err := p.c.GetAccountInfo(ctx, portaswitch.GetAccountInfoRequest{ID: id})
	if err != nil {
		return provision.AccountInfo{}, classify(err)
	}
	if ai.BillStatus == "C" || ai.ID != id {
		return provision.AccountInfo{}, fmt.Errorf("account %s: %w", id, provision.ErrNotFound)
	}
	return provision.AccountInfo{IAccount: ai.IAccount, ICustomer: ai.ICustomer, ID: ai.ID}, nil
}

// AssignNumberToAccount implements provision.PortaSwitch.
func (p *Port) AssignNumberToAccount(ctx context.Context, iDidNumber, iAccount int64) error {
	if err := p.c.AssignDIDToAccount(ctx, iDidNumber, iAccount); err != nil {
		return classify(err)
	}
	return nil
}

// FindFreeDevice implements provision.PortaSwitch with UA/get_ua_list
// usage "F".
func (p *Port) FindFreeDevice(ctx context.Context, iUAType int64) (int64, error) {
	list, err := p.c.GetUAList(ctx, portaswitch.GetUAListRequest{IUAType: iUAType, Usage: "F", Limit: 1})
	if err != nil {
		return 0, classify(err)
	}
	if len(list) == 0 {
		return 0, fmt.Errorf("free device of type %d: %w", iUAType, provision.ErrNotFound)
	}
	return list[0].IUA, nil
}

// AssignDevice implements provision.PortaSwitch with Account/assign_ua.
func (p *Port) AssignDevice(ctx context.Context, iAccount, iUA int64) error {
	if err := p.c.AssignUA(ctx, iAccount, iUA, p.DevicePort); err != nil {
		return classify(err)
	}
	return nil
}

// FindDeviceOnAccount implements provision.PortaSwitch. UA/get_ua_list has
// no account filter, so it pages through the used devices.
func (p *Port) FindDeviceOnAccount(ctx context.Context, iAccount int64) (int64, error) {
	size := p.PageSize
	if size <= 0 {
		size = 100
	}
	for offset := 0; ; offset += size {
		list, err := p.c.GetUAList(ctx, portaswitch.GetUAListRequest{Usage: "U", Limit: size, Offset: offset})
		if err != nil {
			return 0, classify(err)
		}
		for _, d := range list {
			if d.IAccount == iAccount {
				return d.IUA, nil
			}
		}
		if len(list) < size {
			return 0, fmt.Errorf("device on account %d: %w", iAccount, provision.ErrNotFound)
		}
	}
}
