package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"websignup/portaswitch"
)

// call is one API call being served (under s.mu).
type call struct {
	s     *Sim
	realm string
	sess  *session // nil for Session/*
	p     params
}

type handler struct {
	fn     func(*call) (any, error)
	write  bool // changes state: save the file afterwards
	realms map[string]bool
}

var (
	adminOnly = map[string]bool{RealmAdmin: true}
	allRealms = map[string]bool{RealmAdmin: true, RealmAccount: true}
)

// handlers maps "Service/method" to its implementation.
var handlers map[string]handler

func init() {
	r := func(fn func(*call) (any, error)) handler { return handler{fn: fn, realms: adminOnly} }
	w := func(fn func(*call) (any, error)) handler { return handler{fn: fn, write: true, realms: adminOnly} }
	handlers = map[string]handler{
		"Session/login":                      {fn: (*call).sessionLogin, realms: allRealms},
		"Session/refresh_access_token":       {fn: (*call).sessionRefresh, realms: allRealms},
		"Session/ping":                       {fn: (*call).sessionPing, realms: allRealms},
		"Session/logout":                     {fn: (*call).sessionLogout, realms: allRealms},
		"Product/get_product_list":           r((*call).getProductList),
		"Subscription/get_subscription_list": r((*call).getSubscriptionList),
		"DID/get_vendor_batch_list":          r((*call).getVendorBatchList),
		"UA/get_ua_type_list":                r((*call).getUATypeList),
		"DID/get_number_list":                r((*call).getNumberList),
		"DID/assign_did_to_customer":         w((*call).assignDIDToCustomer),
		"DID/release_did_from_customer":      w((*call).releaseDIDFromCustomer),
		"DID/assign_did_to_account":          w((*call).assignDIDToAccount),
		"Customer/add_customer":              w((*call).addCustomer),
		"Customer/get_customer_info":         r((*call).getCustomerInfo),
		"Customer/get_customer_list":         r((*call).getCustomerList),
		"Customer/update_customer":           w((*call).updateCustomer),
		"Customer/terminate_customer":        w((*call).terminateCustomer),
		"Customer/update_payment_method":     w((*call).updatePaymentMethod),
		"Customer/make_transaction":          w((*call).makeTransaction),
		"Customer/get_transaction_list":      r((*call).getTransactionList),
		"Account/add_account":                w((*call).addAccount),
		"Account/get_account_info":           {fn: (*call).getAccountInfo, realms: allRealms},
		"Account/get_account_list":           r((*call).getAccountList),
		"Account/update_account":             w((*call).updateAccount),
		"Account/terminate_account":          w((*call).terminateAccount),
		"Account/change_password":            {fn: (*call).changePassword, write: true, realms: map[string]bool{RealmAccount: true}},
		"Account/assign_ua":                  w((*call).assignUA),
		"Account/release_ua":                 w((*call).releaseUA),
		"UA/get_ua_list":                     r((*call).getUAList),
	}
}

// Methods returns the "Service/method" names the simulator implements.
func Methods() []string {
	out := make([]string, 0, len(handlers))
	for k := range handlers {
		out = append(out, k)
	}
	return out
}

var success = map[string]int{"success": 1}

// ---- Session ----

func (c *call) sessionLogin() (any, error) {
	login, err := c.p.reqStr("login")
	if err != nil {
		return nil, err
	}
	pw, err := c.p.optStr("password")
	if err != nil {
		return nil, err
	}
	tok, err := c.p.optStr("token")
	if err != nil {
		return nil, err
	}
	if pw == "" && tok == "" {
		return nil, faultf(codeMissing, "password or token is required")
	}
	ss, err := c.s.checkLogin(c.realm, login, pw, tok)
	if err != nil {
		return nil, err
	}
	now := c.s.opts.Now()
	c.s.purgeSessions(now)
	ss.id, ss.access, ss.refresh = randomToken(), randomToken(), randomToken()
	ss.expires, ss.refreshExpires = now.Add(c.s.opts.TokenTTL), now.Add(c.s.opts.RefreshTTL)
	c.s.sessions[ss.access] = ss
	c.s.sessions[ss.id] = ss
	c.s.sessions["r:"+ss.refresh] = ss
	res := map[string]any{
		"session_id": ss.id, "access_token": ss.access, "refresh_token": ss.refresh,
		"expires_at": ss.expires.UTC().Format(dateTimeLayout),
		"expires_in": int64(c.s.opts.TokenTTL / time.Second),
	}
	if c.realm == RealmAccount {
		flag := "N"
		if a := c.s.findAccount(ss.iAccount); a != nil && a.PasswordChangeRequired == "Y" {
			flag = "Y"
		}
		res["password_change_required"] = flag
	}
	return res, nil
}

func (s *Sim) purgeSessions(now time.Time) {
	for k, ss := range s.sessions {
		if now.After(ss.refreshExpires) && now.After(ss.expires) {
			delete(s.sessions, k)
		}
	}
}

func (s *Sim) dropSession(ss *session) {
	delete(s.sessions, ss.access)
	delete(s.sessions, ss.id)
	delete(s.sessions, "r:"+ss.refresh)
}

func (c *call) sessionRefresh() (any, error) {
	rt, err := c.p.reqStr("refresh_token")
	if err != nil {
		return nil, err
	}
	now := c.s.opts.Now()
	ss := c.s.sessions["r:"+rt]
	if ss == nil || ss.realm != c.realm || !now.Before(ss.refreshExpires) {
		return nil, faultf(portaswitch.CodeAuthFailed, "refresh token is invalid or expired")
	}
	delete(c.s.sessions, ss.access)
	ss.access = randomToken()
	ss.expires = now.Add(c.s.opts.TokenTTL)
	c.s.sessions[ss.access] = ss
	return map[string]any{
		"access_token": ss.access, "refresh_token": ss.refresh,
		"expires_at": ss.expires.UTC().Format(dateTimeLayout),
		"expires_in": int64(c.s.opts.TokenTTL / time.Second),
	}, nil
}

func (c *call) tokenParam() (string, error) {
	tok, err := c.p.optStr("access_token")
	if err != nil {
		return "", err
	}
	if tok == "" {
		if tok, err = c.p.optStr("session_id"); err != nil {
			return "", err
		}
	}
	if tok == "" {
		return "", faultf(codeMissing, "access_token is required")
	}
	return tok, nil
}

func (c *call) sessionPing() (any, error) {
	tok, err := c.tokenParam()
	if err != nil {
		return nil, err
	}
	ss := c.s.sessions[tok]
	if ss == nil || strings.HasPrefix(tok, "r:") || ss.realm != c.realm || !c.s.opts.Now().Before(ss.expires) {
		return map[string]int64{"user_id": 0}, nil
	}
	uid := int64(1)
	if ss.realm == RealmAccount {
		uid = ss.iAccount
	}
	return map[string]int64{"user_id": uid}, nil
}

func (c *call) sessionLogout() (any, error) {
	tok, err := c.tokenParam()
	if err != nil {
		return nil, err
	}
	if ss := c.s.sessions[tok]; ss != nil && !strings.HasPrefix(tok, "r:") && ss.realm == c.realm {
		c.s.dropSession(ss)
	}
	return success, nil
}

// ---- helpers ----

func (s *Sim) findCustomer(id int64) *Customer {
	for _, x := range s.db.Customers {
		if x.ICustomer == id {
			return x
		}
	}
	return nil
}

func (s *Sim) findAccount(id int64) *Account {
	for _, x := range s.db.Accounts {
		if x.IAccount == id {
			return x
		}
	}
	return nil
}

func (s *Sim) findNumber(id int64) *Number {
	for _, x := range s.db.Numbers {
		if x.IDIDNumber == id {
			return x
		}
	}
	return nil
}

func (s *Sim) findDevice(id int64) *Device {
	for _, x := range s.db.Devices {
		if x.IUA == id {
			return x
		}
	}
	return nil
}

func (c *call) openCustomer(key string) (*Customer, error) {
	id, err := c.p.reqInt(key)
	if err != nil {
		return nil, err
	}
	cu := c.s.findCustomer(id)
	if cu == nil {
		return nil, faultf("Server.Customer.not_found", "customer %d not found", id)
	}
	if cu.BillStatus == "C" {
		return nil, faultf("Server.Customer.terminated", "customer %d is terminated", id)
	}
	return cu, nil
}

func (s *Sim) openAccountByID(id int64) (*Account, error) {
	a := s.findAccount(id)
	if a == nil {
		return nil, faultf("Server.Account.not_found", "account %d not found", id)
	}
	if a.BillStatus == "C" {
		return nil, faultf("Server.Account.terminated", "account %d is terminated", id)
	}
	return a, nil
}

// page applies limit/offset (limit 0: no limit).
func page[T any](c *call, list []T) ([]T, error) {
	limit, err := c.p.optInt("limit")
	if err != nil {
		return nil, err
	}
	offset, err := c.p.optInt("offset")
	if err != nil {
		return nil, err
	}
	if limit < 0 || offset < 0 {
		return nil, faultf(codeInvalid, "limit and offset must not be negative")
	}
	if offset >= int64(len(list)) {
		return []T{}, nil
	}
	list = list[offset:]
	if limit > 0 && limit < int64(len(list)) {
		list = list[:limit]
	}
	return list, nil
}

// like matches s against a pattern with "%" wildcards, as SQL LIKE does.
func like(pattern, s string) bool {
	parts := strings.Split(pattern, "%")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, last)
}

func validISO4217(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// validWebPassword is PortaBilling's default policy: letters and digits, 6
// to 32 characters.
func validWebPassword(pw string) bool {
	if len(pw) < 6 || len(pw) > 32 {
		return false
	}
	for _, r := range pw {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func generatePassword(n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b)
}

// ---- catalogue ----

func (c *call) getProductList() (any, error) {
	ic, err := c.p.optInt("i_customer")
	if err != nil {
		return nil, err
	}
	if ic != 0 && c.s.findCustomer(ic) == nil {
		return nil, faultf("Server.Customer.not_found", "customer %d not found", ic)
	}
	list, err := page(c, append([]Product{}, c.s.db.Products...))
	return map[string]any{"product_list": list}, err
}

func (c *call) getSubscriptionList() (any, error) {
	list, err := page(c, append([]Subscription{}, c.s.db.Subscriptions...))
	return map[string]any{"subscription_list": list}, err
}

func (c *call) getVendorBatchList() (any, error) {
	list, err := page(c, append([]Batch{}, c.s.db.Batches...))
	return map[string]any{"batch_list": list}, err
}

func (c *call) getUATypeList() (any, error) {
	list, err := page(c, append([]UAType{}, c.s.db.UATypes...))
	return map[string]any{"ua_type_list": list}, err
}

// ---- DID ----

func (c *call) getNumberList() (any, error) {
	usage, err := c.p.optStr("usage")
	if err != nil {
		return nil, err
	}
	if usage == "" {
		usage = "A"
	}
	if !strings.Contains("IFUA", usage) || len(usage) != 1 {
		return nil, faultf(codeInvalid, "usage must be I, F, U or A")
	}
	batch, err := c.p.optInt("i_dv_batch")
	if err != nil {
		return nil, err
	}
	if batch != 0 {
		found := false
		for _, b := range c.s.db.Batches {
			found = found || b.IDVBatch == batch
		}
		if !found {
			return nil, faultf("Server.DID.batch_not_found", "number pool %d not found", batch)
		}
	}
	pattern, err := c.p.optStr("number")
	if err != nil {
		return nil, err
	}
	ic, err := c.p.optInt("i_customer")
	if err != nil {
		return nil, err
	}
	list := []Number{}
	for _, n := range c.s.db.Numbers {
		switch {
		case batch != 0 && n.IDVBatch != batch,
			ic != 0 && n.ICustomer != ic,
			pattern != "" && !like(pattern, n.Number),
			usage == "I" && (n.ICustomer != 0 || n.IAccount != 0),
			usage == "F" && n.IAccount != 0,
			usage == "U" && n.IAccount == 0:
			continue
		}
		list = append(list, *n)
	}
	list, err = page(c, list)
	return map[string]any{"number_list": list}, err
}

func (c *call) number() (*Number, error) {
	id, err := c.p.reqInt("i_did_number")
	if err != nil {
		return nil, err
	}
	n := c.s.findNumber(id)
	if n == nil {
		return nil, faultf("Server.DID.not_found", "number %d not found", id)
	}
	return n, nil
}

func (c *call) assignDIDToCustomer() (any, error) {
	cu, err := c.openCustomer("i_customer")
	if err != nil {
		return nil, err
	}
	n, err := c.number()
	if err != nil {
		return nil, err
	}
	if n.Frozen == "Y" {
		return nil, faultf("Server.DID.frozen", "number %s is frozen", n.Number)
	}
	if n.ICustomer == cu.ICustomer {
		return success, nil
	}
	if n.ICustomer != 0 || n.IAccount != 0 {
		return nil, faultf("Server.DID.already_assigned", "number %s is assigned to another customer", n.Number)
	}
	n.ICustomer = cu.ICustomer
	return success, nil
}

func (c *call) releaseDIDFromCustomer() (any, error) {
	n, err := c.number()
	if err != nil {
		return nil, err
	}
	if n.IAccount != 0 {
		if a := c.s.findAccount(n.IAccount); a != nil && a.BillStatus == "O" {
			return nil, faultf("Server.DID.in_use", "number %s is used by account %d", n.Number, a.IAccount)
		}
	}
	n.ICustomer, n.IAccount = 0, 0
	return success, nil
}

func (c *call) assignDIDToAccount() (any, error) {
	n, err := c.number()
	if err != nil {
		return nil, err
	}
	ia, err := c.p.reqInt("i_master_account")
	if err != nil {
		return nil, err
	}
	a, err := c.s.openAccountByID(ia)
	if err != nil {
		return nil, err
	}
	if n.IAccount == a.IAccount {
		return success, nil
	}
	if n.IAccount != 0 || (n.ICustomer != 0 && n.ICustomer != a.ICustomer) {
		return nil, faultf("Server.DID.already_assigned", "number %s is assigned elsewhere", n.Number)
	}
	if n.Frozen == "Y" {
		return nil, faultf("Server.DID.frozen", "number %s is frozen", n.Number)
	}
	n.ICustomer, n.IAccount = a.ICustomer, a.IAccount
	return success, nil
}

// ---- Customer ----

// setCustomerFields copies the optional customer_info keys present in p.
func setCustomerFields(cu *Customer, p params) error {
	strs := map[string]*string{
		"firstname": &cu.Firstname, "lastname": &cu.Lastname, "companyname": &cu.Companyname,
		"email": &cu.Email, "baddr1": &cu.Baddr1, "address_line_2": &cu.AddressLine2,
		"city": &cu.City, "state": &cu.State, "zip": &cu.Zip, "country": &cu.Country,
		"phone1": &cu.Phone1, "login": &cu.Login, "i_lang": &cu.ILang, "note": &cu.Note,
	}
	for k, dst := range strs {
		if !p.present(k) {
			continue
		}
		v, err := p.optStr(k)
		if err != nil {
			return err
		}
		if len(v) > 1000 {
			return faultf(codeInvalid, "%s is too long", k)
		}
		*dst = v
	}
	if p.present("i_time_zone") {
		v, err := p.optInt("i_time_zone")
		if err != nil {
			return err
		}
		cu.ITimeZone = v
	}
	if cu.Country != "" && (len(cu.Country) != 2 || strings.ToUpper(cu.Country) != cu.Country) {
		return faultf(codeInvalid, "country must be an ISO 3166-1 alpha-2 code")
	}
	if cu.Email != "" && !strings.Contains(cu.Email, "@") {
		return faultf(codeInvalid, "email is not an e-mail address")
	}
	return nil
}

func (s *Sim) customerNameTaken(name string, except int64) bool {
	for _, x := range s.db.Customers {
		if x.BillStatus == "O" && x.ICustomer != except && strings.EqualFold(x.Name, name) {
			return true
		}
	}
	return false
}

func (s *Sim) customerLoginTaken(login string, except int64) bool {
	for _, x := range s.db.Customers {
		if login != "" && x.BillStatus == "O" && x.ICustomer != except && x.Login == login {
			return true
		}
	}
	return false
}

func (c *call) addCustomer() (any, error) {
	ci, err := c.p.obj("customer_info")
	if err != nil {
		return nil, err
	}
	name, err := ci.reqStr("name")
	if err != nil {
		return nil, err
	}
	iso, err := ci.reqStr("iso_4217")
	if err != nil {
		return nil, err
	}
	if !validISO4217(iso) {
		return nil, faultf(codeInvalid, "iso_4217 must be a currency code such as USD")
	}
	parent, err := ci.optInt("i_parent")
	if err != nil {
		return nil, err
	}
	if parent != 0 {
		if p := c.s.findCustomer(parent); p == nil || p.BillStatus != "O" {
			return nil, faultf("Server.Customer.parent_not_found", "reseller %d not found", parent)
		}
	}
	pw, err := ci.optStr("password")
	if err != nil {
		return nil, err
	}
	cu := &Customer{Name: name, ISO4217: iso, IParent: parent, BillStatus: "O", Balance: money(0, iso), CreationDate: c.s.now()}
	if err := setCustomerFields(cu, ci); err != nil {
		return nil, err
	}
	if c.s.customerNameTaken(name, 0) {
		return nil, faultf("Server.Customer.duplicate_name", "a customer named %q exists", name)
	}
	if c.s.customerLoginTaken(cu.Login, 0) {
		return nil, faultf("Server.Customer.duplicate_login", "login %q is taken", cu.Login)
	}
	cu.ICustomer = c.s.db.nextID("customer")
	c.s.db.Customers = append(c.s.db.Customers, cu)
	if pw != "" {
		c.s.db.Secrets[fmt.Sprintf("customer:%d", cu.ICustomer)] = hashPassword(pw)
	}
	return map[string]int64{"i_customer": cu.ICustomer}, nil
}

func (c *call) getCustomerInfo() (any, error) {
	id, err := c.p.optInt("i_customer")
	if err != nil {
		return nil, err
	}
	name, err := c.p.optStr("name")
	if err != nil {
		return nil, err
	}
	login, err := c.p.optStr("login")
	if err != nil {
		return nil, err
	}
	if id == 0 && name == "" && login == "" {
		return nil, faultf(codeMissing, "i_customer, name or login is required")
	}
	var found *Customer
	for _, x := range c.s.db.Customers {
		if (id != 0 && x.ICustomer == id) || (id == 0 && name != "" && strings.EqualFold(x.Name, name)) ||
			(id == 0 && name == "" && x.Login == login) {
			if found == nil || (found.BillStatus == "C" && x.BillStatus == "O") {
				found = x
			}
		}
	}
	if found == nil {
		return nil, faultf("Server.Customer.not_found", "customer not found")
	}
	return map[string]any{"customer_info": found}, nil
}

func (c *call) getCustomerList() (any, error) {
	parent, err := c.p.optInt("i_parent")
	if err != nil {
		return nil, err
	}
	pattern, err := c.p.optStr("name")
	if err != nil {
		return nil, err
	}
	list := []Customer{}
	for _, x := range c.s.db.Customers {
		if (parent != 0 && x.IParent != parent) || (pattern != "" && !like(pattern, x.Name)) {
			continue
		}
		list = append(list, *x)
	}
	list, err = page(c, list)
	return map[string]any{"customer_list": list}, err
}

func (c *call) updateCustomer() (any, error) {
	ci, err := c.p.obj("customer_info")
	if err != nil {
		return nil, err
	}
	cu, err := (&call{s: c.s, p: ci}).openCustomer("i_customer")
	if err != nil {
		return nil, err
	}
	cp := *cu
	if ci.present("name") {
		if cp.Name, err = ci.reqStr("name"); err != nil {
			return nil, err
		}
		if c.s.customerNameTaken(cp.Name, cu.ICustomer) {
			return nil, faultf("Server.Customer.duplicate_name", "a customer named %q exists", cp.Name)
		}
	}
	if iso, _ := ci.optStr("iso_4217"); iso != "" && iso != cu.ISO4217 {
		return nil, faultf(codeInvalid, "iso_4217 cannot change")
	}
	if err := setCustomerFields(&cp, ci); err != nil {
		return nil, err
	}
	if c.s.customerLoginTaken(cp.Login, cu.ICustomer) {
		return nil, faultf("Server.Customer.duplicate_login", "login %q is taken", cp.Login)
	}
	pw, err := ci.optStr("password")
	if err != nil {
		return nil, err
	}
	*cu = cp
	if pw != "" {
		c.s.db.Secrets[fmt.Sprintf("customer:%d", cu.ICustomer)] = hashPassword(pw)
	}
	return success, nil
}

func (c *call) terminateCustomer() (any, error) {
	id, err := c.p.reqInt("i_customer")
	if err != nil {
		return nil, err
	}
	cu := c.s.findCustomer(id)
	if cu == nil {
		return nil, faultf("Server.Customer.not_found", "customer %d not found", id)
	}
	if cu.BillStatus == "C" {
		return success, nil // already closed: repeating a terminate is harmless
	}
	for _, a := range c.s.db.Accounts {
		if a.ICustomer == id && a.BillStatus == "O" {
			c.s.closeAccount(a, true)
		}
	}
	for _, n := range c.s.db.Numbers {
		if n.ICustomer == id {
			n.ICustomer, n.IAccount = 0, 0
		}
	}
	cu.BillStatus = "C"
	return success, nil
}

// ---- payment ----

var cardBrands = map[string]string{
	"visa": portaswitch.BrandVisa, "mastercard": portaswitch.BrandMasterCard,
	"american express": portaswitch.BrandAmex, "discover": portaswitch.BrandDiscover,
}

// Test cards (see the package doc), exported for load generators and
// demos that drive the simulator from outside its tests.
const (
	// TestCardApproved is approved at every step (as is 5555555555554444).
	TestCardApproved = "4242424242424242"
	// TestCardDeclined is stored, then declined at make_transaction.
	TestCardDeclined = "4000000000000002"
	// TestCardFailsAuth fails the authorisation check at update_payment_method.
	TestCardFailsAuth = "4000000000000069"

	cardDeclineAtCharge = TestCardDeclined
	cardFailAuth        = TestCardFailsAuth
)

func luhnValid(digits string) bool {
	sum, double := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

func (c *call) updatePaymentMethod() (any, error) {
	cu, err := c.openCustomer("i_customer")
	if err != nil {
		return nil, err
	}
	pm, err := c.p.obj("payment_method_info")
	if err != nil {
		return nil, err
	}
	brandText, err := pm.reqStr("payment_method")
	if err != nil {
		return nil, err
	}
	brand, ok := cardBrands[strings.ToLower(brandText)]
	if !ok {
		return nil, faultf(codeInvalid, "payment_method must be VISA, MasterCard, American Express or Discover")
	}
	raw, err := pm.reqStr("number")
	if err != nil {
		return nil, err
	}
	number := strings.NewReplacer(" ", "", "-", "").Replace(raw)
	if len(number) < 12 || len(number) > 19 || !allDigits(number) || !luhnValid(number) {
		// The faultstring never repeats the number.
		return nil, faultf("Client.PaymentMethod.invalid_card_number", "the card number is not valid")
	}
	exp, err := pm.reqStr("exp_date")
	if err != nil {
		return nil, err
	}
	expT, perr := time.Parse("2006-01-02", exp)
	if perr != nil {
		if expT, perr = time.Parse("2006-01", exp); perr != nil {
			return nil, faultf(codeInvalid, "exp_date must be YYYY-MM-DD")
		}
	}
	now := c.s.opts.Now().UTC()
	if expT.Year() < now.Year() || (expT.Year() == now.Year() && expT.Month() < now.Month()) {
		return nil, faultf("Client.PaymentMethod.card_expired", "the card has expired")
	}
	cvv, err := pm.optStr("cvv")
	if err != nil {
		return nil, err
	}
	if cvv != "" && (len(cvv) < 3 || len(cvv) > 4 || !allDigits(cvv)) {
		return nil, faultf("Client.PaymentMethod.invalid_cvv", "the CVV must be 3 or 4 digits")
	}
	holder, err := pm.optStr("name")
	if err != nil {
		return nil, err
	}
	if number == cardFailAuth {
		return nil, faultf("Server.PaymentMethod.authorization_failed", "the card failed the authorisation check")
	}
	behaviour := "approve"
	if number == cardDeclineAtCharge {
		behaviour = "decline"
	}
	stored := &PaymentMethod{
		IPaymentMethod: c.s.db.nextID("payment_method"), PaymentMethod: brand,
		Number: portaswitch.MaskCard(number), ExpDate: expT.AddDate(0, 1, -expT.Day()).Format("2006-01-02"),
		Name: holder, TestBehaviour: behaviour,
	}
	cu.PaymentMethod = stored
	return map[string]int64{"i_payment_method": stored.IPaymentMethod}, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

var actions = []string{"E-Commerce Payment", "Manual charge", "Manual payment", "E-Commerce Refund", "Authorization Only", "Capture Payment", "Refund"}

func (c *call) makeTransaction() (any, error) {
	cu, err := c.openCustomer("i_customer")
	if err != nil {
		return nil, err
	}
	actText, err := c.p.reqStr("action")
	if err != nil {
		return nil, err
	}
	action := ""
	for _, a := range actions {
		if strings.EqualFold(a, strings.TrimSpace(actText)) {
			action = a
		}
	}
	if action == "" {
		return nil, faultf(codeInvalid, "unknown action")
	}
	if iso, err := c.p.optStr("iso_4217"); err != nil {
		return nil, err
	} else if iso != "" && iso != cu.ISO4217 {
		return nil, faultf(codeInvalid, "iso_4217 %s differs from the customer's currency", clipName(iso))
	}
	amount, err := c.p.reqMoney("amount", cu.ISO4217)
	if err != nil {
		return nil, err
	}
	if amount <= 0 {
		return nil, faultf(codeInvalid, "amount must be positive")
	}
	visible, err := c.p.optStr("visible_comment")
	if err != nil {
		return nil, err
	}
	internal, err := c.p.optStr("internal_comment")
	if err != nil {
		return nil, err
	}
	byCard := action == "E-Commerce Payment" || action == "Authorization Only" || action == "Capture Payment" || action == "E-Commerce Refund"
	if byCard && cu.PaymentMethod == nil {
		return nil, faultf("Server.Customer.no_payment_method", "the customer has no payment method")
	}
	t := &Transaction{
		IPaymentTransaction: c.s.db.nextID("transaction"), ICustomer: cu.ICustomer, Action: action,
		Amount: money(amount, cu.ISO4217), ISO4217: cu.ISO4217, VisibleComment: visible,
		InternalComment: internal, Status: portaswitch.TransactionCompleted, Timestamp: c.s.now(),
	}
	t.TransactionID = fmt.Sprintf("sim-%08d", t.IPaymentTransaction)
	if byCard {
		t.PaymentMethod = cu.PaymentMethod.PaymentMethod + " " + cu.PaymentMethod.Number
	}
	if byCard && action != "E-Commerce Refund" && cu.PaymentMethod.TestBehaviour == "decline" {
		t.Status = portaswitch.TransactionDeclined
		c.s.db.Transactions = append(c.s.db.Transactions, t)
		return nil, faultf("Server.Payment.declined", "the card was declined by the payment processor")
	}
	balance, _ := portaswitch.ParseAmount(string(cu.Balance), cu.ISO4217)
	switch action {
	case "E-Commerce Payment", "Manual payment", "Capture Payment":
		balance += amount
	case "Manual charge", "E-Commerce Refund", "Refund":
		balance -= amount
	case "Authorization Only":
		t.Status = "authorized"
	}
	cu.Balance = money(balance, cu.ISO4217)
	c.s.db.Transactions = append(c.s.db.Transactions, t)
	return map[string]any{"i_payment_transaction": t.IPaymentTransaction, "balance": cu.Balance, "transaction_id": t.TransactionID}, nil
}

func (c *call) getTransactionList() (any, error) {
	id, err := c.p.reqInt("i_customer")
	if err != nil {
		return nil, err
	}
	if c.s.findCustomer(id) == nil {
		return nil, faultf("Server.Customer.not_found", "customer %d not found", id)
	}
	list := []Transaction{}
	for _, t := range c.s.db.Transactions {
		if t.ICustomer == id {
			list = append(list, *t)
		}
	}
	list, err = page(c, list)
	return map[string]any{"transaction_list": list}, err
}

// ---- Account ----

func (s *Sim) accountIDTaken(id string, except int64) bool {
	for _, a := range s.db.Accounts {
		if a.BillStatus == "O" && a.IAccount != except && a.ID == id {
			return true
		}
	}
	return false
}

func (s *Sim) accountLoginTaken(login string, except int64) bool {
	for _, a := range s.db.Accounts {
		if login != "" && a.BillStatus == "O" && a.IAccount != except && a.Login == login {
			return true
		}
	}
	return false
}

func (s *Sim) findProduct(id int64) *Product {
	for i := range s.db.Products {
		if s.db.Products[i].IProduct == id {
			return &s.db.Products[i]
		}
	}
	return nil
}

// setAccountFields copies the optional account_info keys present in p and
// returns the new web password, if one was given.
func (s *Sim) setAccountFields(a *Account, p params) (string, error) {
	for k, dst := range map[string]*string{
		"firstname": &a.Firstname, "lastname": &a.Lastname, "email": &a.Email,
		"h323_password": &a.H323Password, "login": &a.Login,
	} {
		if p.present(k) {
			v, err := p.optStr(k)
			if err != nil {
				return "", err
			}
			if len(v) > 255 {
				return "", faultf(codeInvalid, "%s is too long", k)
			}
			*dst = v
		}
	}
	if a.Email != "" && !strings.Contains(a.Email, "@") {
		return "", faultf(codeInvalid, "email is not an e-mail address")
	}
	if p.present("billing_model") {
		bm, err := p.optInt("billing_model")
		if err != nil {
			return "", err
		}
		if bm < -1 || bm > 2 {
			return "", faultf(codeInvalid, "billing_model must be -1, 0, 1 or 2")
		}
		a.BillingModel = bm
	}
	if p.present("i_product") {
		ip, err := p.optInt("i_product")
		if err != nil {
			return "", err
		}
		pr := s.findProduct(ip)
		if pr == nil {
			return "", faultf("Server.Product.not_found", "product %d not found", ip)
		}
		if pr.ISO4217 != a.ISO4217 {
			return "", faultf("Server.Account.currency_mismatch", "product currency %s differs from the customer's %s", pr.ISO4217, a.ISO4217)
		}
		a.IProduct = ip
	}
	if p.present("activation_date") {
		d, err := p.optStr("activation_date")
		if err != nil {
			return "", err
		}
		if _, perr := time.Parse("2006-01-02", d); perr != nil {
			return "", faultf(codeInvalid, "activation_date must be YYYY-MM-DD")
		}
		a.ActivationDate = d
	}
	pw, err := p.optStr("password")
	if err != nil {
		return "", err
	}
	if p.present("password") && !validWebPassword(pw) {
		return "", faultf("Client.Account.invalid_password", "the web password must be 6 to 32 letters and digits")
	}
	if s.accountLoginTaken(a.Login, a.IAccount) {
		return "", faultf("Server.Account.duplicate_login", "login %q is taken", a.Login)
	}
	return pw, nil
}

func (c *call) addAccount() (any, error) {
	ai, err := c.p.obj("account_info")
	if err != nil {
		return nil, err
	}
	cu, err := (&call{s: c.s, p: ai}).openCustomer("i_customer")
	if err != nil {
		return nil, err
	}
	if _, err := ai.reqInt("i_product"); err != nil {
		return nil, err
	}
	id, err := ai.reqStr("id")
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(id) != id || len(id) > 64 {
		return nil, faultf(codeInvalid, "id must be 1 to 64 characters without surrounding spaces")
	}
	if c.s.accountIDTaken(id, 0) {
		return nil, faultf(portaswitch.CodeDuplicateID, "an account with id %s exists", id)
	}
	a := &Account{ICustomer: cu.ICustomer, ID: id, BillingModel: 1, ISO4217: cu.ISO4217, BillStatus: "O",
		Balance: money(0, cu.ISO4217), ActivationDate: c.s.opts.Now().UTC().Format("2006-01-02"),
		PasswordChangeRequired: "N", CreationDate: c.s.now()}
	pw, err := c.s.setAccountFields(a, ai)
	if err != nil {
		return nil, err
	}
	if pw != "" && a.Login == "" {
		a.Login = id
		if c.s.accountLoginTaken(a.Login, 0) {
			return nil, faultf("Server.Account.duplicate_login", "login %q is taken", a.Login)
		}
	}
	if a.Login != "" && pw == "" {
		return nil, faultf(codeMissing, "password is required with login")
	}
	if a.H323Password == "" {
		a.H323Password = generatePassword(12)
	}
	a.IAccount = c.s.db.nextID("account")
	if pw != "" {
		c.s.db.Secrets[accountSecret(a.IAccount)] = hashPassword(pw)
		a.PasswordChangeRequired = "Y" // a password set by someone else must be changed at first login
	}
	c.s.db.Accounts = append(c.s.db.Accounts, a)
	return map[string]int64{"i_account": a.IAccount}, nil
}

func (c *call) getAccountInfo() (any, error) {
	if c.realm == RealmAccount {
		a := c.s.findAccount(c.sess.iAccount)
		if a == nil {
			return nil, faultf("Server.Account.not_found", "account not found")
		}
		return map[string]any{"account_info": a}, nil
	}
	id, err := c.p.optInt("i_account")
	if err != nil {
		return nil, err
	}
	num, err := c.p.optStr("id")
	if err != nil {
		return nil, err
	}
	login, err := c.p.optStr("login")
	if err != nil {
		return nil, err
	}
	if id == 0 && num == "" && login == "" {
		return nil, faultf(codeMissing, "i_account, id or login is required")
	}
	var found *Account
	for _, a := range c.s.db.Accounts {
		if (id != 0 && a.IAccount == id) || (id == 0 && num != "" && a.ID == num) || (id == 0 && num == "" && a.Login == login) {
			if found == nil || (found.BillStatus == "C" && a.BillStatus == "O") {
				found = a
			}
		}
	}
	if found == nil {
		return nil, faultf("Server.Account.not_found", "account not found")
	}
	return map[string]any{"account_info": found}, nil
}

func (c *call) getAccountList() (any, error) {
	ic, err := c.p.optInt("i_customer")
	if err != nil {
		return nil, err
	}
	if ic != 0 && c.s.findCustomer(ic) == nil {
		return nil, faultf("Server.Customer.not_found", "customer %d not found", ic)
	}
	list := []Account{}
	for _, a := range c.s.db.Accounts {
		if ic == 0 || a.ICustomer == ic {
			list = append(list, *a)
		}
	}
	list, err = page(c, list)
	return map[string]any{"account_list": list}, err
}

func (c *call) updateAccount() (any, error) {
	ai, err := c.p.obj("account_info")
	if err != nil {
		return nil, err
	}
	ia, err := ai.reqInt("i_account")
	if err != nil {
		return nil, err
	}
	a, err := c.s.openAccountByID(ia)
	if err != nil {
		return nil, err
	}
	cp := *a
	if ai.present("id") {
		if cp.ID, err = ai.reqStr("id"); err != nil {
			return nil, err
		}
		if c.s.accountIDTaken(cp.ID, a.IAccount) {
			return nil, faultf(portaswitch.CodeDuplicateID, "an account with id %s exists", cp.ID)
		}
	}
	pw, err := c.s.setAccountFields(&cp, ai)
	if err != nil {
		return nil, err
	}
	if pw != "" {
		if cp.Login == "" {
			cp.Login = cp.ID
		}
		c.s.db.Secrets[accountSecret(a.IAccount)] = hashPassword(pw)
		cp.PasswordChangeRequired = "Y" // an admin reset
	}
	*a = cp
	return success, nil
}

// closeAccount terminates a and frees its devices; its numbers leave the
// account, and with releaseDIDs the customer too.
func (s *Sim) closeAccount(a *Account, releaseDIDs bool) {
	a.BillStatus = "C"
	for _, d := range s.db.Devices {
		if d.IAccount == a.IAccount {
			d.IAccount, d.ICustomer, d.Port, d.Used = 0, 0, 0, "N"
		}
	}
	for _, n := range s.db.Numbers {
		if n.IAccount == a.IAccount {
			n.IAccount = 0
			if releaseDIDs {
				n.ICustomer = 0
			}
		}
	}
	for _, ss := range s.sessions {
		if ss.realm == RealmAccount && ss.iAccount == a.IAccount {
			s.dropSession(ss)
		}
	}
}

func (c *call) terminateAccount() (any, error) {
	ia, err := c.p.reqInt("i_account")
	if err != nil {
		return nil, err
	}
	release, err := c.p.optFlag("release_assigned_did")
	if err != nil {
		return nil, err
	}
	a := c.s.findAccount(ia)
	if a == nil {
		return nil, faultf("Server.Account.not_found", "account %d not found", ia)
	}
	if a.BillStatus == "C" {
		return success, nil
	}
	c.s.closeAccount(a, release)
	return success, nil
}

func (c *call) changePassword() (any, error) {
	oldPw, err := c.p.reqStr("old_password")
	if err != nil {
		return nil, err
	}
	newPw, err := c.p.reqStr("new_password")
	if err != nil {
		return nil, err
	}
	a := c.s.findAccount(c.sess.iAccount)
	if a == nil {
		return nil, faultf("Server.Account.not_found", "account not found")
	}
	key := accountSecret(a.IAccount)
	if !checkPassword(c.s.db.Secrets[key], oldPw) {
		return nil, faultf("Server.Account.wrong_password", "the old password is wrong")
	}
	if !validWebPassword(newPw) || newPw == oldPw {
		return nil, faultf("Client.Account.invalid_password", "the new password must differ and be 6 to 32 letters and digits")
	}
	c.s.db.Secrets[key] = hashPassword(newPw)
	a.PasswordChangeRequired = "N"
	return success, nil
}

// ---- UA ----

func (c *call) getUAList() (any, error) {
	typ, err := c.p.optInt("i_ua_type")
	if err != nil {
		return nil, err
	}
	if typ != 0 {
		found := false
		for _, t := range c.s.db.UATypes {
			found = found || t.IUAType == typ
		}
		if !found {
			return nil, faultf("Server.UA.type_not_found", "device type %d not found", typ)
		}
	}
	usage, err := c.p.optStr("usage")
	if err != nil {
		return nil, err
	}
	if usage != "" && usage != "F" && usage != "U" {
		return nil, faultf(codeInvalid, "usage must be F or U")
	}
	ic, err := c.p.optInt("i_customer")
	if err != nil {
		return nil, err
	}
	list := []Device{}
	for _, d := range c.s.db.Devices {
		if (typ != 0 && d.IUAType != typ) || (ic != 0 && d.ICustomer != ic) ||
			(usage == "F" && d.Used == "Y") || (usage == "U" && d.Used != "Y") {
			continue
		}
		list = append(list, *d)
	}
	list, err = page(c, list)
	return map[string]any{"ua_list": list}, err
}

func (c *call) accountAndDevice() (*Account, *Device, error) {
	ia, err := c.p.reqInt("i_account")
	if err != nil {
		return nil, nil, err
	}
	iua, err := c.p.reqInt("i_ua")
	if err != nil {
		return nil, nil, err
	}
	a, err := c.s.openAccountByID(ia)
	if err != nil {
		return nil, nil, err
	}
	d := c.s.findDevice(iua)
	if d == nil {
		return nil, nil, faultf("Server.UA.not_found", "device %d not found", iua)
	}
	return a, d, nil
}

func (c *call) assignUA() (any, error) {
	a, d, err := c.accountAndDevice()
	if err != nil {
		return nil, err
	}
	port, err := c.p.optInt("port")
	if err != nil {
		return nil, err
	}
	if port == 0 {
		port = 1
	}
	if port < 1 || port > 16 {
		return nil, faultf(codeInvalid, "port must be 1 to 16")
	}
	if d.IAccount == a.IAccount {
		return success, nil
	}
	if d.Used == "Y" {
		return nil, faultf("Server.UA.already_assigned", "device %d is on another account", d.IUA)
	}
	d.IAccount, d.ICustomer, d.Port, d.Used = a.IAccount, a.ICustomer, port, "Y"
	return success, nil
}

func (c *call) releaseUA() (any, error) {
	a, d, err := c.accountAndDevice()
	if err != nil {
		return nil, err
	}
	if d.IAccount != a.IAccount {
		return nil, faultf("Server.UA.not_assigned", "device %d is not on account %d", d.IUA, a.IAccount)
	}
	d.IAccount, d.ICustomer, d.Port, d.Used = 0, 0, 0, "N"
	return success, nil
}
