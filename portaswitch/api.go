package portaswitch

import (
	"context"
	"encoding/json"
	"fmt"
)

// This file holds the calls whose shape the contract marks as seen. The
// inferred ones are in inferred.go.
//
// A call's params are a struct whose fields are in name order, so that its
// JSON is byte for byte what a map of the same keys gives (encoding/json
// sorts a map's keys), without encoding a map: a map of two keys costs
// about eight allocations more (TestParamsAsMaps).

// customerInfoParams are the params of a call given a customer_info.
type customerInfoParams struct {
	CustomerInfo CustomerInfo `json:"customer_info"`
}

// accountInfoParams are the params of a call given an account_info.
type accountInfoParams struct {
	AccountInfo AccountInfo `json:"account_info"`
}

// accessTokenParams are the params of a Session call given the token.
type accessTokenParams struct {
	AccessToken string `json:"access_token"`
}

// Product is one entry of Product/get_product_list. Fees are not on the
// product but on the subscription ISubscription points to.
type Product struct {
	IProduct           int64  `json:"i_product"`
	Name               string `json:"name"`
	EndUserName        string `json:"end_user_name,omitempty"`
	EndUserDescription string `json:"end_user_description,omitempty"`
	ISO4217            string `json:"iso_4217"`
	Hidden             string `json:"hidden,omitempty"`
	// ISubscription links the product's subscription (the link is inferred).
	ISubscription int64 `json:"i_subscription,omitempty"`
}

// GetProductListRequest filters Product/get_product_list.
type GetProductListRequest struct {
	ICustomer int64 `json:"i_customer,omitempty"`
	Limit     int   `json:"limit,omitempty"`
	Offset    int   `json:"offset,omitempty"`
}

// GetProductList lists products (retried on transport errors).
func (c *Client) GetProductList(ctx context.Context, req GetProductListRequest) ([]Product, error) {
	var res struct {
		ProductList []Product `json:"product_list"`
	}
	err := c.call(ctx, "Product", "get_product_list", req, &res)
	return res.ProductList, err
}

// DIDNumber is one entry of DID/get_number_list. ActivationFee and
// PeriodicFee are minor units of ISO4217.
type DIDNumber struct {
	IDIDNumber    int64  `json:"i_did_number"`
	Number        string `json:"number"`
	IDVBatch      int64  `json:"i_dv_batch"`
	ActivationFee int64  `json:"activation_fee"`
	PeriodicFee   int64  `json:"periodic_fee"`
	ISO4217       string `json:"iso_4217,omitempty"`
	CountryISO    string `json:"country_iso,omitempty"`
	Frozen        string `json:"frozen,omitempty"`
	ICustomer     int64  `json:"i_customer,omitempty"`
	IAccount      int64  `json:"i_account,omitempty"`
}

type didNumberWire DIDNumber

// didNumberJSON is a DIDNumber as PortaSwitch sends it: the fees as decimal
// text (a JSON number, or a string holding one), which only the currency,
// later in the same object, turns into minor units.
type didNumberJSON struct {
	didNumberWire
	ActivationFee json.Number `json:"activation_fee"`
	PeriodicFee   json.Number `json:"periodic_fee"`
}

// number converts w, reading the fees exactly. On error the fee that failed
// and those after it are 0.
func (w *didNumberJSON) number() (DIDNumber, error) {
	d := DIDNumber(w.didNumberWire)
	var err error
	if d.ActivationFee, err = moneyField(w.ActivationFee, d.ISO4217, "activation_fee"); err != nil {
		return d, err
	}
	d.PeriodicFee, err = moneyField(w.PeriodicFee, d.ISO4217, "periodic_fee")
	return d, err
}

// UnmarshalJSON reads the fees from decimal text exactly.
func (d *DIDNumber) UnmarshalJSON(b []byte) error {
	var w didNumberJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	var err error
	*d, err = w.number()
	return err
}

// MarshalJSON writes the fees as decimal major units.
func (d DIDNumber) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		didNumberWire
		ActivationFee json.Number `json:"activation_fee"`
		PeriodicFee   json.Number `json:"periodic_fee"`
	}{didNumberWire(d), json.Number(FormatAmount(d.ActivationFee, d.ISO4217)), json.Number(FormatAmount(d.PeriodicFee, d.ISO4217))})
}

// Usage values for GetNumberListRequest.Usage.
const (
	// UsageIdle lists numbers on no customer and no account.
	UsageIdle = "I"
	// UsageFree lists numbers on no account (possibly on a customer).
	UsageFree = "F"
	// UsageUsed lists numbers on an account.
	UsageUsed = "U"
	// UsageAll lists every number.
	UsageAll = "A"
)

// GetNumberListRequest filters DID/get_number_list. Number is a pattern with
// "%" as wildcard ("1604%", "%777%").
type GetNumberListRequest struct {
	Usage     string `json:"usage,omitempty"`
	IDVBatch  int64  `json:"i_dv_batch,omitempty"`
	Number    string `json:"number,omitempty"`
	ICustomer int64  `json:"i_customer,omitempty"`
	Limit     int    `json:"limit,omitempty"`
	Offset    int    `json:"offset,omitempty"`
}

// GetNumberList lists DID numbers; page with Limit/Offset until it returns
// an empty list.
func (c *Client) GetNumberList(ctx context.Context, req GetNumberListRequest) ([]DIDNumber, error) {
	var res numberListResult
	if err := c.call(ctx, "DID", "get_number_list", req, &res); err != nil {
		return nil, err
	}
	return res.list, nil
}

// numberListResult is DID/get_number_list's result. The numbers are decoded
// in the one pass over the answer, as didNumberJSON, and converted after it
// (finish): a []DIDNumber would call DIDNumber.UnmarshalJSON for each
// number, which validates and decodes its bytes a second time with a
// decoder of its own (a third of the phone step's number list CPU).
type numberListResult struct {
	NumberList []didNumberJSON `json:"number_list"`
	list       []DIDNumber
}

func (r *numberListResult) finish() error {
	if r.NumberList == nil {
		return nil
	}
	r.list = make([]DIDNumber, len(r.NumberList))
	for i := range r.NumberList {
		var err error
		if r.list[i], err = r.NumberList[i].number(); err != nil {
			return err
		}
	}
	return nil
}

// AssignDIDToCustomer puts number iDIDNumber on customer iCustomer. A number
// already on another customer gives a *Fault.
func (c *Client) AssignDIDToCustomer(ctx context.Context, iCustomer, iDIDNumber int64) error {
	return c.callSuccess(ctx, "DID", "assign_did_to_customer", struct {
		ICustomer  int64 `json:"i_customer"`
		IDIDNumber int64 `json:"i_did_number"`
	}{iCustomer, iDIDNumber})
}

// ReleaseDIDFromCustomer returns number iDIDNumber to the pool.
func (c *Client) ReleaseDIDFromCustomer(ctx context.Context, iDIDNumber int64) error {
	return c.callSuccess(ctx, "DID", "release_did_from_customer", struct {
		IDIDNumber int64 `json:"i_did_number"`
	}{iDIDNumber})
}

// AssignDIDToAccount puts number iDIDNumber on account iMasterAccount.
func (c *Client) AssignDIDToAccount(ctx context.Context, iDIDNumber, iMasterAccount int64) error {
	return c.callSuccess(ctx, "DID", "assign_did_to_account", struct {
		IDIDNumber     int64 `json:"i_did_number"`
		IMasterAccount int64 `json:"i_master_account"`
	}{iDIDNumber, iMasterAccount})
}

// CustomerInfo is PortaSwitch's customer_info. In requests, zero fields are
// not sent. Email is an inferred key.
type CustomerInfo struct {
	ICustomer    int64  `json:"i_customer,omitempty"`
	Name         string `json:"name,omitempty"`
	ISO4217      string `json:"iso_4217,omitempty"`
	IParent      int64  `json:"i_parent,omitempty"`
	Firstname    string `json:"firstname,omitempty"`
	Lastname     string `json:"lastname,omitempty"`
	Companyname  string `json:"companyname,omitempty"`
	Email        string `json:"email,omitempty"`
	Baddr1       string `json:"baddr1,omitempty"`
	AddressLine2 string `json:"address_line_2,omitempty"`
	City         string `json:"city,omitempty"`
	State        string `json:"state,omitempty"`
	Zip          string `json:"zip,omitempty"`
	Country      string `json:"country,omitempty"`
	Phone1       string `json:"phone1,omitempty"`
	Login        string `json:"login,omitempty"`
	Password     string `json:"password,omitempty"`
	ILang        string `json:"i_lang,omitempty"`
	ITimeZone    int64  `json:"i_time_zone,omitempty"`
	Note         string `json:"note,omitempty"`
	// BillStatus is "O" open or "C" closed (terminated); read-only.
	BillStatus string `json:"bill_status,omitempty"`
}

// AddCustomer creates a customer and returns its i_customer. A name that is
// taken gives a *Fault for which IsDuplicate is true.
func (c *Client) AddCustomer(ctx context.Context, info CustomerInfo) (int64, error) {
	var res struct {
		ICustomer int64 `json:"i_customer"`
	}
	err := c.call(ctx, "Customer", "add_customer", customerInfoParams{info}, &res)
	if err == nil && res.ICustomer == 0 {
		err = badResult("Customer", "add_customer", "no i_customer")
	}
	return res.ICustomer, err
}

// GetCustomerInfoRequest selects one customer by ICustomer, Name or Login.
type GetCustomerInfoRequest struct {
	ICustomer int64  `json:"i_customer,omitempty"`
	Name      string `json:"name,omitempty"`
	Login     string `json:"login,omitempty"`
}

// GetCustomerInfo reads one customer. An unknown customer gives a *Fault for
// which IsNotFound is true (on servers that answer an empty object instead,
// too).
func (c *Client) GetCustomerInfo(ctx context.Context, req GetCustomerInfoRequest) (*CustomerInfo, error) {
	var res struct {
		CustomerInfo *CustomerInfo `json:"customer_info"`
	}
	if err := c.call(ctx, "Customer", "get_customer_info", req, &res); err != nil {
		return nil, err
	}
	if res.CustomerInfo == nil || res.CustomerInfo.ICustomer == 0 {
		return nil, &Fault{Service: "Customer", Method: "get_customer_info", FaultCode: "Server.Customer.not_found", FaultString: "no customer_info in the answer"}
	}
	return res.CustomerInfo, nil
}

// GetCustomerListRequest filters Customer/get_customer_list; Name is a "%"
// pattern.
type GetCustomerListRequest struct {
	IParent int64  `json:"i_parent,omitempty"`
	Name    string `json:"name,omitempty"`
	Limit   int    `json:"limit,omitempty"`
	Offset  int    `json:"offset,omitempty"`
}

// GetCustomerList lists customers, including closed ones (BillStatus "C").
func (c *Client) GetCustomerList(ctx context.Context, req GetCustomerListRequest) ([]CustomerInfo, error) {
	var res struct {
		CustomerList []CustomerInfo `json:"customer_list"`
	}
	err := c.call(ctx, "Customer", "get_customer_list", req, &res)
	return res.CustomerList, err
}

// UpdateCustomer changes the non-zero fields of info on customer
// info.ICustomer.
func (c *Client) UpdateCustomer(ctx context.Context, info CustomerInfo) error {
	return c.callSuccess(ctx, "Customer", "update_customer", customerInfoParams{info})
}

// TerminateCustomer closes customer iCustomer (and, on the simulator, its
// accounts, numbers and devices).
func (c *Client) TerminateCustomer(ctx context.Context, iCustomer int64) error {
	return c.callSuccess(ctx, "Customer", "terminate_customer", struct {
		ICustomer int64 `json:"i_customer"`
	}{iCustomer})
}

// AccountInfo is PortaSwitch's account_info. In requests, zero fields are not
// sent. ID is the phone number for a phone account; H323Password the SIP
// password; Login/Password the web self-care credentials.
type AccountInfo struct {
	IAccount       int64  `json:"i_account,omitempty"`
	ICustomer      int64  `json:"i_customer,omitempty"`
	IProduct       int64  `json:"i_product,omitempty"`
	BillingModel   int    `json:"billing_model,omitempty"`
	ID             string `json:"id,omitempty"`
	H323Password   string `json:"h323_password,omitempty"`
	Login          string `json:"login,omitempty"`
	Password       string `json:"password,omitempty"`
	Firstname      string `json:"firstname,omitempty"`
	Lastname       string `json:"lastname,omitempty"`
	Email          string `json:"email,omitempty"`
	ActivationDate string `json:"activation_date,omitempty"`
	ISO4217        string `json:"iso_4217,omitempty"`
	// BillStatus is "O" open or "C" closed (terminated); read-only.
	BillStatus string `json:"bill_status,omitempty"`
	// Balance is the account's balance in major units of ISO4217 as
	// PortaSwitch sent it (read-only; ParseAmountRounded gives minor units).
	Balance json.Number `json:"balance,omitempty"`
}

// BillingModelCredit is AccountInfo.BillingModel for a credit (post-paid)
// account.
const BillingModelCredit = 1

// AddAccount creates an account and returns its i_account. An id that exists
// gives a *Fault for which IsDuplicateID is true: look the account up by id
// before treating it as an error.
func (c *Client) AddAccount(ctx context.Context, info AccountInfo) (int64, error) {
	var res struct {
		IAccount int64 `json:"i_account"`
	}
	err := c.call(ctx, "Account", "add_account", accountInfoParams{info}, &res)
	if err == nil && res.IAccount == 0 {
		err = badResult("Account", "add_account", "no i_account")
	}
	return res.IAccount, err
}

// GetAccountInfoRequest selects one account by IAccount, ID or Login. In the
// account realm leave it empty to read the logged-in account.
type GetAccountInfoRequest struct {
	IAccount int64  `json:"i_account,omitempty"`
	ID       string `json:"id,omitempty"`
	Login    string `json:"login,omitempty"`
}

// GetAccountInfo reads one account; an unknown one gives a *Fault for which
// IsNotFound is true.
func (c *Client) GetAccountInfo(ctx context.Context, req GetAccountInfoRequest) (*AccountInfo, error) {
	var res struct {
		AccountInfo *AccountInfo `json:"account_info"`
	}
	if err := c.call(ctx, "Account", "get_account_info", req, &res); err != nil {
		return nil, err
	}
	if res.AccountInfo == nil || res.AccountInfo.IAccount == 0 {
		return nil, &Fault{Service: "Account", Method: "get_account_info", FaultCode: "Server.Account.not_found", FaultString: "no account_info in the answer"}
	}
	return res.AccountInfo, nil
}

// GetAccountListRequest filters Account/get_account_list.
type GetAccountListRequest struct {
	ICustomer int64 `json:"i_customer,omitempty"`
	Limit     int   `json:"limit,omitempty"`
	Offset    int   `json:"offset,omitempty"`
}

// GetAccountList lists accounts, including closed ones (BillStatus "C").
func (c *Client) GetAccountList(ctx context.Context, req GetAccountListRequest) ([]AccountInfo, error) {
	var res struct {
		AccountList []AccountInfo `json:"account_list"`
	}
	err := c.call(ctx, "Account", "get_account_list", req, &res)
	return res.AccountList, err
}

// UpdateAccount changes the non-zero fields of info on account info.IAccount.
// Setting Password is a reset: the end user must change it at the next
// self-care login.
func (c *Client) UpdateAccount(ctx context.Context, info AccountInfo) error {
	return c.callSuccess(ctx, "Account", "update_account", accountInfoParams{info})
}

// TerminateAccount closes account iAccount; releaseAssignedDID also frees its
// numbers.
func (c *Client) TerminateAccount(ctx context.Context, iAccount int64, releaseAssignedDID bool) error {
	flag := "N"
	if releaseAssignedDID {
		flag = "Y"
	}
	return c.callSuccess(ctx, "Account", "terminate_account", struct {
		IAccount           int64  `json:"i_account"`
		ReleaseAssignedDID string `json:"release_assigned_did"`
	}{iAccount, flag})
}

// callSuccess performs a call whose result is {"success": 1}.
func (c *Client) callSuccess(ctx context.Context, service, method string, params any) error {
	var res struct {
		Success *json.Number `json:"success"`
	}
	if err := c.call(ctx, service, method, params, &res); err != nil {
		return err
	}
	if res.Success != nil && *res.Success != "1" {
		return &Fault{Service: service, Method: method, FaultCode: "Client.Result.unsuccessful", FaultString: "server answered success " + string(*res.Success)}
	}
	return nil
}

func badResult(service, method, msg string) error {
	return &TransportError{Service: service, Method: method, StatusCode: 200, Err: fmt.Errorf("unexpected result: %s", msg)}
}

func moneyField(n json.Number, iso, key string) (int64, error) {
	if n == "" {
		return 0, nil
	}
	v, err := ParseAmount(string(n), iso)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
	}
	return v, nil
}

// flexString reads a JSON string or number as text (PortaBilling sends some
// identifiers either way).
type flexString string

// UnmarshalJSON accepts "abc" or 123.
func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string or number: %w", err)
	}
	*f = flexString(n)
	return nil
}
