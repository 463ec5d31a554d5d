package portaswitch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// This file holds the calls whose shape the contract marks as inferred: no
// public source showed their exact keys. Each sits in one small function so
// an installation can adapt it to its server's own API reference
// (/doc/api/ on every PortaBilling server) without touching anything else.

// Subscription is one entry of Subscription/get_subscription_list.
// ActivationFee and Fee (per billing period) are minor units of ISO4217.
type Subscription struct {
	ISubscription int64  `json:"i_subscription"`
	Name          string `json:"name"`
	ISO4217       string `json:"iso_4217"`
	ActivationFee int64  `json:"activation_fee"`
	Fee           int64  `json:"fee"`
	// IBillingPeriod: the simulator uses 4 (monthly), as PortaBilling does.
	IBillingPeriod int64 `json:"i_billing_period,omitempty"`
}

type subscriptionWire Subscription

// UnmarshalJSON reads the fees from decimal text exactly.
func (s *Subscription) UnmarshalJSON(b []byte) error {
	var w struct {
		subscriptionWire
		ActivationFee json.Number `json:"activation_fee"`
		Fee           json.Number `json:"fee"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = Subscription(w.subscriptionWire)
	var err error
	if s.ActivationFee, err = moneyField(w.ActivationFee, s.ISO4217, "activation_fee"); err != nil {
		return err
	}
	s.Fee, err = moneyField(w.Fee, s.ISO4217, "fee")
	return err
}

// MarshalJSON writes the fees as decimal major units.
func (s Subscription) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		subscriptionWire
		ActivationFee json.Number `json:"activation_fee"`
		Fee           json.Number `json:"fee"`
	}{subscriptionWire(s), json.Number(FormatAmount(s.ActivationFee, s.ISO4217)), json.Number(FormatAmount(s.Fee, s.ISO4217))})
}

// GetSubscriptionList lists subscriptions (the fees of products).
func (c *Client) GetSubscriptionList(ctx context.Context) ([]Subscription, error) {
	var res struct {
		SubscriptionList []Subscription `json:"subscription_list"`
	}
	err := c.call(ctx, "Subscription", "get_subscription_list", nil, &res)
	return res.SubscriptionList, err
}

// VendorBatch is one entry of DID/get_vendor_batch_list: a number pool.
type VendorBatch struct {
	IDVBatch int64  `json:"i_dv_batch"`
	Name     string `json:"name"`
}

// GetVendorBatchList lists the number pools.
func (c *Client) GetVendorBatchList(ctx context.Context) ([]VendorBatch, error) {
	var res struct {
		BatchList []VendorBatch `json:"batch_list"`
	}
	err := c.call(ctx, "DID", "get_vendor_batch_list", nil, &res)
	return res.BatchList, err
}

// UAType is one entry of UA/get_ua_type_list: an IP phone model.
type UAType struct {
	IUAType      int64  `json:"i_ua_type"`
	Name         string `json:"name"`
	Manufacturer string `json:"manufacturer"`
	Model        string `json:"model"`
}

// GetUATypeList lists the IP phone models.
func (c *Client) GetUATypeList(ctx context.Context) ([]UAType, error) {
	var res struct {
		UATypeList []UAType `json:"ua_type_list"`
	}
	err := c.call(ctx, "UA", "get_ua_type_list", nil, &res)
	return res.UATypeList, err
}

// UA is one entry of UA/get_ua_list: a physical IP phone. Used is "Y" while it
// is on an account.
type UA struct {
	IUA         int64  `json:"i_ua"`
	Name        string `json:"name"`
	MAC         string `json:"mac"`
	InventoryID string `json:"inventory_id"`
	Description string `json:"description,omitempty"`
	IUAType     int64  `json:"i_ua_type"`
	ICustomer   int64  `json:"i_customer,omitempty"`
	IAccount    int64  `json:"i_account,omitempty"`
	Used        string `json:"used"`
}

// GetUAListRequest filters UA/get_ua_list; Usage is "F" free or "U" used.
type GetUAListRequest struct {
	IUAType int64  `json:"i_ua_type,omitempty"`
	Usage   string `json:"usage,omitempty"`
	Limit   int    `json:"limit,omitempty"`
	Offset  int    `json:"offset,omitempty"`
}

// GetUAList lists IP phones.
func (c *Client) GetUAList(ctx context.Context, req GetUAListRequest) ([]UA, error) {
	var res struct {
		UAList []UA `json:"ua_list"`
	}
	err := c.call(ctx, "UA", "get_ua_list", req, &res)
	return res.UAList, err
}

// AssignUA puts device iUA on account iAccount at line port (1 if 0). A device
// on another account gives a *Fault.
func (c *Client) AssignUA(ctx context.Context, iAccount, iUA int64, port int) error {
	if port <= 0 {
		port = 1
	}
	return c.callSuccess(ctx, "Account", "assign_ua", struct {
		IAccount int64 `json:"i_account"`
		IUA      int64 `json:"i_ua"`
		Port     int64 `json:"port"`
	}{iAccount, iUA, int64(port)})
}

// ReleaseUA takes device iUA off account iAccount.
func (c *Client) ReleaseUA(ctx context.Context, iAccount, iUA int64) error {
	return c.callSuccess(ctx, "Account", "release_ua", struct {
		IAccount int64 `json:"i_account"`
		IUA      int64 `json:"i_ua"`
	}{iAccount, iUA})
}

// Card brands for PaymentMethodInfo.PaymentMethod.
const (
	// BrandVisa is a Visa card.
	BrandVisa = "VISA"
	// BrandMasterCard is a Mastercard.
	BrandMasterCard = "MasterCard"
	// BrandAmex is an American Express card.
	BrandAmex = "American Express"
	// BrandDiscover is a Discover card.
	BrandDiscover = "Discover"
)

// PaymentMethodInfo is the card given to Customer/update_payment_method.
// Number and CVV are secrets: this package never logs them and the value
// should live only in memory for the duration of the call. ExpDate is
// "YYYY-MM-DD", the last day of the month.
type PaymentMethodInfo struct {
	PaymentMethod string `json:"payment_method"`
	Number        string `json:"number"`
	ExpDate       string `json:"exp_date"`
	CVV           string `json:"cvv,omitempty"`
	Name          string `json:"name,omitempty"`
	Address       string `json:"address,omitempty"`
	City          string `json:"city,omitempty"`
	Zip           string `json:"zip,omitempty"`
	ISO3166_1_A2  string `json:"iso_3166_1_a2,omitempty"`
}

// String masks the card so that printing the struct by mistake leaks nothing.
func (p PaymentMethodInfo) String() string {
	return fmt.Sprintf("%s %s exp %s", p.PaymentMethod, maskCard(p.Number), p.ExpDate)
}

// GoString masks the card for %#v as well.
func (p PaymentMethodInfo) GoString() string {
	return "portaswitch.PaymentMethodInfo{" + p.String() + "}"
}

// UpdatePaymentMethod stores a card on customer iCustomer and returns its
// i_payment_method. The server runs an authorisation check; a card that fails
// it gives a *Fault for which IsDeclined is true.
func (c *Client) UpdatePaymentMethod(ctx context.Context, iCustomer int64, card PaymentMethodInfo) (int64, error) {
	var res struct {
		IPaymentMethod int64 `json:"i_payment_method"`
	}
	err := c.call(ctx, "Customer", "update_payment_method", struct {
		ICustomer         int64             `json:"i_customer"`
		PaymentMethodInfo PaymentMethodInfo `json:"payment_method_info"`
	}{iCustomer, card}, &res)
	return res.IPaymentMethod, err
}

// Transaction actions for MakeTransactionRequest.Action (the server matches
// them case-insensitively).
const (
	// ActionECommercePayment charges the stored card (the signup charge).
	ActionECommercePayment = "E-Commerce Payment"
	// ActionManualCharge adds a charge without touching the card.
	ActionManualCharge = "Manual charge"
	// ActionManualPayment records a payment made elsewhere.
	ActionManualPayment = "Manual payment"
	// ActionECommerceRefund refunds to the stored card.
	ActionECommerceRefund = "E-Commerce Refund"
	// ActionAuthorizationOnly authorises the card without capturing.
	ActionAuthorizationOnly = "Authorization Only"
	// ActionCapturePayment captures an earlier authorisation.
	ActionCapturePayment = "Capture Payment"
	// ActionRefund records a refund.
	ActionRefund = "Refund"
)

// MakeTransactionRequest is Customer/make_transaction's params. Amount is in
// minor units of ISO4217, which is required (the client needs it to write the
// decimal amount).
type MakeTransactionRequest struct {
	ICustomer       int64  `json:"i_customer"`
	Action          string `json:"action"`
	Amount          int64  `json:"amount"`
	ISO4217         string `json:"iso_4217"`
	VisibleComment  string `json:"visible_comment,omitempty"`
	InternalComment string `json:"internal_comment,omitempty"`
}

type makeTransactionWire MakeTransactionRequest

// MarshalJSON writes Amount as decimal major units.
func (r MakeTransactionRequest) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		makeTransactionWire
		Amount json.Number `json:"amount"`
	}{makeTransactionWire(r), json.Number(FormatAmount(r.Amount, r.ISO4217))})
}

// MakeTransactionResult is Customer/make_transaction's result; Balance is in
// minor units of the request's currency, rounded if the server keeps more
// decimals.
type MakeTransactionResult struct {
	IPaymentTransaction int64  `json:"i_payment_transaction"`
	TransactionID       string `json:"transaction_id"`
	Balance             int64  `json:"-"`
}

// MakeTransaction charges, pays or refunds. It is not idempotent and never
// retried by the client: after a TransportError, look the transaction up with
// GetTransactionList (by InternalComment) before charging again. A declined
// card gives a *Fault for which IsDeclined is true.
func (c *Client) MakeTransaction(ctx context.Context, req MakeTransactionRequest) (*MakeTransactionResult, error) {
	if req.ISO4217 == "" {
		return nil, errors.New("portaswitch: MakeTransaction needs ISO4217 to convert the amount")
	}
	var w struct {
		IPaymentTransaction int64       `json:"i_payment_transaction"`
		TransactionID       flexString  `json:"transaction_id"`
		Balance             json.Number `json:"balance"`
	}
	if err := c.call(ctx, "Customer", "make_transaction", req, &w); err != nil {
		return nil, err
	}
	res := &MakeTransactionResult{IPaymentTransaction: w.IPaymentTransaction, TransactionID: string(w.TransactionID)}
	if w.Balance != "" {
		b, err := ParseAmountRounded(string(w.Balance), req.ISO4217)
		if err != nil {
			return nil, badResult("Customer", "make_transaction", "balance: "+err.Error())
		}
		res.Balance = b
	}
	return res, nil
}

// Transaction statuses the simulator reports.
const (
	// TransactionCompleted is a transaction that went through.
	TransactionCompleted = "completed"
	// TransactionDeclined is a card charge the processor refused.
	TransactionDeclined = "declined"
)

// Transaction is one entry of Customer/get_transaction_list. Amount is in
// minor units of ISO4217.
type Transaction struct {
	IPaymentTransaction int64  `json:"i_payment_transaction"`
	Action              string `json:"action"`
	Amount              int64  `json:"amount"`
	ISO4217             string `json:"iso_4217,omitempty"`
	InternalComment     string `json:"internal_comment,omitempty"`
	VisibleComment      string `json:"visible_comment,omitempty"`
	Status              string `json:"status"`
	TransactionID       string `json:"transaction_id,omitempty"`
	Timestamp           string `json:"timestamp,omitempty"`
}

type transactionWire Transaction

// UnmarshalJSON reads Amount from decimal text exactly.
func (t *Transaction) UnmarshalJSON(b []byte) error {
	var w struct {
		transactionWire
		Amount        json.Number `json:"amount"`
		TransactionID flexString  `json:"transaction_id"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*t = Transaction(w.transactionWire)
	t.TransactionID = string(w.TransactionID)
	var err error
	t.Amount, err = moneyField(w.Amount, t.ISO4217, "amount")
	return err
}

// MarshalJSON writes Amount as decimal major units.
func (t Transaction) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		transactionWire
		Amount json.Number `json:"amount"`
	}{transactionWire(t), json.Number(FormatAmount(t.Amount, t.ISO4217))})
}

// GetTransactionList lists customer iCustomer's payment transactions,
// declined ones included.
func (c *Client) GetTransactionList(ctx context.Context, iCustomer int64) ([]Transaction, error) {
	var res struct {
		TransactionList []Transaction `json:"transaction_list"`
	}
	err := c.call(ctx, "Customer", "get_transaction_list", struct {
		ICustomer int64 `json:"i_customer"`
	}{iCustomer}, &res)
	return res.TransactionList, err
}

// ChangePassword changes the logged-in end user's web password (account
// realm). On success the client logs in with newPassword from then on. A
// wrong oldPassword or a newPassword that breaks the policy (letters and
// digits, 6 to 32) gives a *Fault.
func (c *Client) ChangePassword(ctx context.Context, oldPassword, newPassword string) error {
	if err := c.callSuccess(ctx, "Account", "change_password", struct {
		NewPassword string `json:"new_password"`
		OldPassword string `json:"old_password"`
	}{newPassword, oldPassword}); err != nil {
		return err
	}
	c.mu.Lock()
	c.pass = newPassword
	c.mu.Unlock()
	return nil
}
