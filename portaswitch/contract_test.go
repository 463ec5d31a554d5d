package portaswitch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"websignup/portaswitch"
	"websignup/portaswitch/sim"
)

// clock is a settable clock for the simulator, so tests expire tokens
// without sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type env struct {
	sim    *sim.Sim
	srv    *httptest.Server
	client *portaswitch.Client
	clock  *clock
	logs   *syncBuffer
	hits   sync.Map // path → *atomic.Int64
}

func (e *env) count(path string) int64 {
	v, ok := e.hits.Load(path)
	if !ok {
		return 0
	}
	return v.(*atomic.Int64).Load()
}

// newEnv serves a fresh simulator over real HTTP and returns an admin client
// for it that logs everything at debug level into e.logs.
func newEnv(t *testing.T, mod func(*sim.Options, *portaswitch.Config)) *env {
	t.Helper()
	e := &env{clock: &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}, logs: &syncBuffer{}}
	logger := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts := sim.Options{Now: e.clock.Now, Logger: logger}
	cfg := portaswitch.Config{Login: "admin", Password: "admin", Timeout: 2 * time.Second, RetryBackoff: 5 * time.Millisecond, Logger: logger}
	if mod != nil {
		mod(&opts, &cfg)
	}
	s, err := sim.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	e.sim = s
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, _ := e.hits.LoadOrStore(r.URL.Path, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
		s.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { s.Close(); e.srv.Close() })
	if cfg.BaseURL == "" {
		cfg.BaseURL = e.srv.URL
	}
	if e.client, err = portaswitch.New(cfg); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) accountClient(t *testing.T, login, password string) *portaswitch.Client {
	t.Helper()
	c, err := portaswitch.New(portaswitch.Config{BaseURL: e.srv.URL + sim.AccountPrefix, Login: login, Password: password, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := portaswitch.FaultCode(err); got != code {
		t.Fatalf("want fault %s, got %v", code, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// newCustomer adds an open customer under the seeded reseller.
func newCustomer(t *testing.T, c *portaswitch.Client, name string) int64 {
	t.Helper()
	id, err := c.AddCustomer(context.Background(), portaswitch.CustomerInfo{Name: name, ISO4217: "USD", IParent: sim.SeedResellerID, Firstname: "Ada", Lastname: "Lovelace", Email: "ada@example.com", Country: "US"})
	must(t, err)
	return id
}

var visa = portaswitch.PaymentMethodInfo{PaymentMethod: portaswitch.BrandVisa, Number: "4242424242424242", ExpDate: "2030-12-31", CVV: "123", Name: "Ada Lovelace"}

func TestSession(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	res, err := e.client.Login(ctx)
	must(t, err)
	if res.AccessToken == "" || res.RefreshToken == "" || res.SessionID == "" || res.ExpiresAt == "" || res.ExpiresIn != 1800 {
		t.Fatalf("login result %+v", res)
	}
	ping, err := e.client.Ping(ctx)
	must(t, err)
	if ping.UserID <= 0 {
		t.Fatalf("ping user_id %d", ping.UserID)
	}
	ref, err := e.client.RefreshAccessToken(ctx)
	must(t, err)
	if ref.AccessToken == res.AccessToken {
		t.Fatal("refresh kept the old token")
	}
	if tok, _ := e.client.Tokens(); tok != ref.AccessToken {
		t.Fatal("client did not keep the refreshed token")
	}
	must(t, e.client.Logout(ctx))
	if tok, _ := e.client.Tokens(); tok != "" {
		t.Fatal("logout kept the token")
	}
	// The next call logs in again lazily.
	if _, err := e.client.GetProductList(ctx, portaswitch.GetProductListRequest{}); err != nil {
		t.Fatal(err)
	}
	if n := e.count("/rest/Session/login"); n != 2 {
		t.Fatalf("logins: %d", n)
	}

	// Wrong password: auth_failed, exactly one attempt.
	bad := newEnv(t, func(_ *sim.Options, c *portaswitch.Config) { c.Password = "wrong" })
	_, err = bad.client.GetProductList(ctx, portaswitch.GetProductListRequest{})
	if !portaswitch.IsAuthFailed(err) {
		t.Fatalf("want auth failed, got %v", err)
	}
	if n := bad.count("/rest/Session/login"); n != 1 {
		t.Fatalf("auth failure retried: %d logins", n)
	}
	// Login by API token.
	tokEnv := newEnv(t, func(o *sim.Options, c *portaswitch.Config) {
		o.APIToken = "tok123"
		c.Password = ""
		c.Token = "tok123"
	})
	_, err = tokEnv.client.GetVendorBatchList(ctx)
	must(t, err)
	// An invalid token pinged answers user_id 0 rather than a fault.
	resumed, err := portaswitch.New(portaswitch.Config{BaseURL: e.srv.URL, AccessToken: "nope"})
	must(t, err)
	ping, err = resumed.Ping(ctx)
	must(t, err)
	if ping.UserID != 0 {
		t.Fatalf("ping of a bad token: %d", ping.UserID)
	}
}

func TestTokenExpiryTransparentRelogin(t *testing.T) {
	e := newEnv(t, func(o *sim.Options, _ *portaswitch.Config) { o.TokenTTL = time.Minute; o.RefreshTTL = time.Hour })
	ctx := context.Background()
	_, err := e.client.GetSubscriptionList(ctx)
	must(t, err)
	first, _ := e.client.Tokens()

	// Access token expired, refresh token valid: refreshed, call repeated.
	e.clock.Add(2 * time.Minute)
	subs, err := e.client.GetSubscriptionList(ctx)
	must(t, err)
	if len(subs) != 3 {
		t.Fatalf("subscriptions: %d", len(subs))
	}
	second, _ := e.client.Tokens()
	if second == first || e.count("/rest/Session/refresh_access_token") != 1 || e.count("/rest/Session/login") != 1 {
		t.Fatalf("want one refresh, got refresh=%d login=%d", e.count("/rest/Session/refresh_access_token"), e.count("/rest/Session/login"))
	}

	// Both expired: refresh fails, the client logs in again, once.
	e.clock.Add(2 * time.Hour)
	_, err = e.client.AddCustomer(ctx, portaswitch.CustomerInfo{Name: "After Expiry", ISO4217: "USD"})
	must(t, err)
	if e.count("/rest/Session/login") != 2 {
		t.Fatalf("logins: %d", e.count("/rest/Session/login"))
	}
	if e.count("/rest/Customer/add_customer") != 2 {
		t.Fatalf("add_customer should be sent twice (expired, then repeated), got %d", e.count("/rest/Customer/add_customer"))
	}

	// ExpireSessions from the simulator side behaves the same.
	e.sim.ExpireSessions()
	_, err = e.client.GetUATypeList(ctx)
	must(t, err)

	// A server that keeps saying "expired": one re-auth, then the fault; no loop.
	must(t, e.sim.SetFaults([]sim.FaultRule{{Method: "UA/get_ua_type_list", FaultCode: portaswitch.CodeSessionExpired}}))
	before := e.count("/rest/UA/get_ua_type_list")
	_, err = e.client.GetUATypeList(ctx)
	if !portaswitch.IsSessionExpired(err) {
		t.Fatalf("want session expired, got %v", err)
	}
	if n := e.count("/rest/UA/get_ua_type_list") - before; n != 2 {
		t.Fatalf("calls while expired: %d, want 2", n)
	}
}

func TestCatalog(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	products, err := e.client.GetProductList(ctx, portaswitch.GetProductListRequest{ICustomer: sim.SeedResellerID})
	must(t, err)
	seed := sim.Seed()
	if len(products) != 3 {
		t.Fatalf("products: %+v", products)
	}
	subs, err := e.client.GetSubscriptionList(ctx)
	must(t, err)
	for i, p := range seed.Products {
		if products[i].IProduct != p.IProduct || products[i].Name != p.Name || products[i].ISubscription != p.ISubscription || products[i].ISO4217 != "USD" {
			t.Errorf("product %d: %+v", i, products[i])
		}
		if subs[i].ISubscription != p.ISubscription || subs[i].ActivationFee != p.ActivationFee || subs[i].Fee != p.MonthlyFee {
			t.Errorf("subscription %d: %+v want %+v", i, subs[i], p)
		}
	}
	if subs[0].ActivationFee != 995 || subs[0].Fee != 1495 || subs[2].Fee != 3995 {
		t.Errorf("fees: %+v", subs)
	}
	batches, err := e.client.GetVendorBatchList(ctx)
	must(t, err)
	if len(batches) != 2 || batches[0].IDVBatch != 1 || batches[1].IDVBatch != 2 {
		t.Fatalf("batches: %+v", batches)
	}
	types, err := e.client.GetUATypeList(ctx)
	must(t, err)
	if len(types) != 3 || types[0].Manufacturer != "Yealink" || types[2].Model != "VVX 150" {
		t.Fatalf("ua types: %+v", types)
	}
	// Page through pool 1 until an empty list.
	seen := map[string]bool{}
	for off := 0; ; off += 100 {
		page, err := e.client.GetNumberList(ctx, portaswitch.GetNumberListRequest{IDVBatch: 1, Usage: portaswitch.UsageIdle, Limit: 100, Offset: off})
		must(t, err)
		if len(page) == 0 {
			break
		}
		for _, n := range page {
			if len(n.Number) != 11 || n.IDVBatch != 1 || n.Frozen != "N" || n.ISO4217 != "USD" || seen[n.Number] {
				t.Fatalf("number %+v", n)
			}
			seen[n.Number] = true
		}
	}
	if len(seen) < 200 {
		t.Fatalf("pool 1 has %d numbers", len(seen))
	}
	seattle, err := e.client.GetNumberList(ctx, portaswitch.GetNumberListRequest{Number: "1206%"})
	must(t, err)
	sevens, err := e.client.GetNumberList(ctx, portaswitch.GetNumberListRequest{Number: "%7777"})
	must(t, err)
	if len(seattle) == 0 || len(sevens) < 2 {
		t.Fatalf("pattern search: %d %d", len(seattle), len(sevens))
	}
	for _, n := range seattle {
		if !strings.HasPrefix(n.Number, "1206") {
			t.Fatalf("pattern 1206%% gave %s", n.Number)
		}
	}
	free, err := e.client.GetUAList(ctx, portaswitch.GetUAListRequest{IUAType: 2, Usage: "F"})
	must(t, err)
	if len(free) < 3 || free[0].MAC == "" || free[0].InventoryID == "" {
		t.Fatalf("devices: %+v", free)
	}
	// Unknown ids are faults, not empty lists.
	_, err = e.client.GetNumberList(ctx, portaswitch.GetNumberListRequest{IDVBatch: 99})
	wantCode(t, err, "Server.DID.batch_not_found")
	_, err = e.client.GetUAList(ctx, portaswitch.GetUAListRequest{IUAType: 99})
	wantCode(t, err, "Server.UA.type_not_found")
}

// TestProvisioning walks the contract's provisioning order and every write,
// success and fault.
func TestProvisioning(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	c := e.client
	ic := newCustomer(t, c, "Ada Lovelace 1001")
	_, err := c.AddCustomer(ctx, portaswitch.CustomerInfo{Name: "Ada Lovelace 1001", ISO4217: "USD"})
	if !portaswitch.IsDuplicate(err) {
		t.Fatalf("duplicate name: %v", err)
	}
	_, err = c.AddCustomer(ctx, portaswitch.CustomerInfo{Name: "No currency"})
	wantCode(t, err, "Client.Request.missing_parameter")
	info, err := c.GetCustomerInfo(ctx, portaswitch.GetCustomerInfoRequest{Name: "Ada Lovelace 1001"})
	must(t, err)
	if info.ICustomer != ic || info.IParent != sim.SeedResellerID || info.Email != "ada@example.com" || info.BillStatus != "O" {
		t.Fatalf("customer info %+v", info)
	}
	_, err = c.GetCustomerInfo(ctx, portaswitch.GetCustomerInfoRequest{ICustomer: 9999})
	if !portaswitch.IsNotFound(err) {
		t.Fatalf("unknown customer: %v", err)
	}
	must(t, c.UpdateCustomer(ctx, portaswitch.CustomerInfo{ICustomer: ic, City: "Seattle", Zip: "98101"}))
	list, err := c.GetCustomerList(ctx, portaswitch.GetCustomerListRequest{IParent: sim.SeedResellerID, Name: "Ada%"})
	must(t, err)
	if len(list) != 1 || list[0].City != "Seattle" || list[0].Firstname != "Ada" {
		t.Fatalf("customer list %+v", list)
	}
	err = c.UpdateCustomer(ctx, portaswitch.CustomerInfo{ICustomer: 9999, City: "X"})
	wantCode(t, err, "Server.Customer.not_found")

	// Payment.
	ipm, err := c.UpdatePaymentMethod(ctx, ic, visa)
	must(t, err)
	if ipm == 0 {
		t.Fatal("no i_payment_method")
	}
	charge := portaswitch.MakeTransactionRequest{ICustomer: ic, Action: portaswitch.ActionECommercePayment, Amount: 995 + 1495, ISO4217: "USD", VisibleComment: "Signup", InternalComment: "websignup:job:42"}
	tr, err := c.MakeTransaction(ctx, charge)
	must(t, err)
	if tr.IPaymentTransaction == 0 || tr.TransactionID == "" || tr.Balance != 2490 {
		t.Fatalf("transaction %+v", tr)
	}
	txs, err := c.GetTransactionList(ctx, ic)
	must(t, err)
	if len(txs) != 1 || txs[0].Amount != 2490 || txs[0].InternalComment != "websignup:job:42" || txs[0].Status != portaswitch.TransactionCompleted {
		t.Fatalf("transactions %+v", txs)
	}
	_, err = c.MakeTransaction(ctx, portaswitch.MakeTransactionRequest{ICustomer: ic, Action: "Bogus", Amount: 1, ISO4217: "USD"})
	wantCode(t, err, "Client.Request.invalid_parameter")
	_, err = c.MakeTransaction(ctx, portaswitch.MakeTransactionRequest{ICustomer: ic, Action: "manual PAYMENT", Amount: 1, ISO4217: "EUR"})
	wantCode(t, err, "Client.Request.invalid_parameter")

	// Number and account.
	idle, err := c.GetNumberList(ctx, portaswitch.GetNumberListRequest{IDVBatch: 2, Usage: portaswitch.UsageIdle, Limit: 2})
	must(t, err)
	num := idle[0]
	must(t, c.AssignDIDToCustomer(ctx, ic, num.IDIDNumber))
	must(t, c.AssignDIDToCustomer(ctx, ic, num.IDIDNumber)) // repeat: harmless
	err = c.AssignDIDToCustomer(ctx, ic, 999999)
	wantCode(t, err, "Server.DID.not_found")
	acct := portaswitch.AccountInfo{ICustomer: ic, IProduct: 2, BillingModel: portaswitch.BillingModelCredit, ID: num.Number, H323Password: "SipPass123", Login: num.Number, Password: "Init1234", Firstname: "Ada"}
	ia, err := c.AddAccount(ctx, acct)
	must(t, err)
	_, err = c.AddAccount(ctx, acct)
	if !portaswitch.IsDuplicateID(err) {
		t.Fatalf("duplicate id: %v", err)
	}
	_, err = c.AddAccount(ctx, portaswitch.AccountInfo{ICustomer: ic, IProduct: 42, ID: "x1"})
	wantCode(t, err, "Server.Product.not_found")
	_, err = c.AddAccount(ctx, portaswitch.AccountInfo{ICustomer: ic, IProduct: 1, ID: "x2", Login: "x2", Password: "no"})
	wantCode(t, err, "Client.Account.invalid_password")
	got, err := c.GetAccountInfo(ctx, portaswitch.GetAccountInfoRequest{ID: num.Number})
	must(t, err)
	if got.IAccount != ia || got.H323Password != "SipPass123" || got.Password != "" || got.BillStatus != "O" || got.IProduct != 2 {
		t.Fatalf("account info %+v", got)
	}
	_, err = c.GetAccountInfo(ctx, portaswitch.GetAccountInfoRequest{IAccount: 777})
	if !portaswitch.IsNotFound(err) {
		t.Fatalf("unknown account: %v", err)
	}
	must(t, c.UpdateAccount(ctx, portaswitch.AccountInfo{IAccount: ia, Email: "ada@example.org"}))
	accts, err := c.GetAccountList(ctx, portaswitch.GetAccountListRequest{ICustomer: ic})
	must(t, err)
	if len(accts) != 1 || accts[0].Email != "ada@example.org" {
		t.Fatalf("account list %+v", accts)
	}
	must(t, c.AssignDIDToAccount(ctx, num.IDIDNumber, ia))
	err = c.AssignDIDToAccount(ctx, num.IDIDNumber, 777)
	wantCode(t, err, "Server.Account.not_found")

	// Device.
	devs, err := c.GetUAList(ctx, portaswitch.GetUAListRequest{IUAType: 1, Usage: "F", Limit: 1})
	must(t, err)
	must(t, c.AssignUA(ctx, ia, devs[0].IUA, 1))
	used, err := c.GetUAList(ctx, portaswitch.GetUAListRequest{Usage: "U"})
	must(t, err)
	if len(used) != 1 || used[0].IAccount != ia || used[0].Used != "Y" {
		t.Fatalf("used devices %+v", used)
	}
	other := newCustomer(t, c, "Grace Hopper 1002")
	ia2, err := c.AddAccount(ctx, portaswitch.AccountInfo{ICustomer: other, IProduct: 1, ID: "grace-1"})
	must(t, err)
	err = c.AssignUA(ctx, ia2, devs[0].IUA, 1)
	wantCode(t, err, "Server.UA.already_assigned")
	err = c.AssignDIDToAccount(ctx, num.IDIDNumber, ia2)
	wantCode(t, err, "Server.DID.already_assigned")
	err = c.ReleaseUA(ctx, ia2, devs[0].IUA)
	wantCode(t, err, "Server.UA.not_assigned")
	must(t, c.ReleaseUA(ctx, ia, devs[0].IUA))
	err = c.ReleaseDIDFromCustomer(ctx, num.IDIDNumber)
	wantCode(t, err, "Server.DID.in_use")

	// Teardown.
	must(t, c.TerminateAccount(ctx, ia, false))
	must(t, c.TerminateAccount(ctx, ia, false)) // repeat: harmless
	must(t, c.ReleaseDIDFromCustomer(ctx, num.IDIDNumber))
	must(t, c.TerminateCustomer(ctx, ic))
	err = c.TerminateCustomer(ctx, 4242)
	wantCode(t, err, "Server.Customer.not_found")
	st := e.sim.State()
	open := 0
	for _, cu := range st.Customers {
		if cu.ICustomer == ic && cu.BillStatus != "C" {
			t.Fatalf("terminated customer %+v", cu)
		}
		if cu.BillStatus == "O" {
			open++
		}
	}
	if open != 2 { // the reseller and Grace
		t.Fatalf("open customers: %d", open)
	}
	for _, n := range st.Numbers {
		if n.IDIDNumber == num.IDIDNumber && (n.ICustomer != 0 || n.IAccount != 0) {
			t.Fatalf("number not released: %+v", n)
		}
	}
	// The same id can be used again once its account is closed.
	_, err = c.AddAccount(ctx, portaswitch.AccountInfo{ICustomer: other, IProduct: 1, ID: num.Number})
	must(t, err)
}

func TestPaymentCards(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	c := e.client
	ic := newCustomer(t, c, "Card Tester")
	failAuth := visa
	failAuth.Number = "4000 0000 0000 0069"
	_, err := c.UpdatePaymentMethod(ctx, ic, failAuth)
	if !portaswitch.IsDeclined(err) {
		t.Fatalf("auth check: %v", err)
	}
	bad := visa
	bad.Number = "4242424242424241"
	_, err = c.UpdatePaymentMethod(ctx, ic, bad)
	wantCode(t, err, "Client.PaymentMethod.invalid_card_number")
	expired := visa
	expired.ExpDate = "2020-01-31"
	_, err = c.UpdatePaymentMethod(ctx, ic, expired)
	wantCode(t, err, "Client.PaymentMethod.card_expired")

	decline := visa
	decline.Number = "4000000000000002"
	_, err = c.UpdatePaymentMethod(ctx, ic, decline)
	must(t, err)
	_, err = c.MakeTransaction(ctx, portaswitch.MakeTransactionRequest{ICustomer: ic, Action: portaswitch.ActionECommercePayment, Amount: 2490, ISO4217: "USD", InternalComment: "ref-1"})
	if !portaswitch.IsDeclined(err) {
		t.Fatalf("decline: %v", err)
	}
	txs, err := c.GetTransactionList(ctx, ic)
	must(t, err)
	if len(txs) != 1 || txs[0].Status != portaswitch.TransactionDeclined || txs[0].InternalComment != "ref-1" {
		t.Fatalf("declined transaction: %+v", txs)
	}
	mc := portaswitch.PaymentMethodInfo{PaymentMethod: portaswitch.BrandMasterCard, Number: "5555555555554444", ExpDate: "2031-06-30", CVV: "999"}
	_, err = c.UpdatePaymentMethod(ctx, ic, mc)
	must(t, err)
	_, err = c.MakeTransaction(ctx, portaswitch.MakeTransactionRequest{ICustomer: ic, Action: portaswitch.ActionECommercePayment, Amount: 2490, ISO4217: "USD"})
	must(t, err)

	// No card number or CVV in the simulator's state, the client's or the
	// simulator's logs.
	state, _ := json.Marshal(e.sim.State())
	for _, secret := range []string{"4242424242424242", "4000000000000002", "5555555555554444", "4000 0000 0000 0069", `"cvv"`} {
		if strings.Contains(string(state), secret) {
			t.Errorf("state holds %s", secret)
		}
		if strings.Contains(e.logs.String(), secret) {
			t.Errorf("logs hold %s", secret)
		}
	}
	if !strings.Contains(string(state), "************4444") {
		t.Errorf("state should keep the last four digits: %s", state)
	}
	if strings.Contains(e.logs.String(), "admin\"") || strings.Contains(e.logs.String(), "password=admin") {
		t.Errorf("logs hold the password")
	}
	if tok, _ := c.Tokens(); strings.Contains(e.logs.String(), tok) {
		t.Errorf("logs hold the access token")
	}
}

func TestAccountRealmPasswordChange(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	ic := newCustomer(t, e.client, "Self Care")
	ia, err := e.client.AddAccount(ctx, portaswitch.AccountInfo{ICustomer: ic, IProduct: 1, ID: "12065550100", Login: "ada1001", Password: "Gen3rated"})
	must(t, err)

	wrong := e.accountClient(t, "ada1001", "nope")
	_, err = wrong.Login(ctx)
	if !portaswitch.IsAuthFailed(err) {
		t.Fatalf("wrong web password: %v", err)
	}
	user := e.accountClient(t, "ada1001", "Gen3rated")
	res, err := user.Login(ctx)
	must(t, err)
	if !res.MustChangePassword() {
		t.Fatalf("want password_change_required, got %+v", res)
	}
	_, err = user.GetAccountInfo(ctx, portaswitch.GetAccountInfoRequest{})
	if !portaswitch.IsPasswordChangeRequired(err) {
		t.Fatalf("before change: %v", err)
	}
	wantCode(t, user.ChangePassword(ctx, "wrong1", "NewPass99"), "Server.Account.wrong_password")
	wantCode(t, user.ChangePassword(ctx, "Gen3rated", "short"), "Client.Account.invalid_password")
	must(t, user.ChangePassword(ctx, "Gen3rated", "NewPass99"))
	info, err := user.GetAccountInfo(ctx, portaswitch.GetAccountInfoRequest{})
	must(t, err)
	if info.IAccount != ia || info.ID != "12065550100" {
		t.Fatalf("own account %+v", info)
	}
	ping, err := user.Ping(ctx)
	must(t, err)
	if ping.UserID != ia {
		t.Fatalf("ping %d", ping.UserID)
	}
	// Admin-only methods are refused in the account realm.
	_, err = user.GetProductList(ctx, portaswitch.GetProductListRequest{})
	wantCode(t, err, "Server.Session.forbidden")
	// A fresh login with the new password needs no change; the old fails.
	again := e.accountClient(t, "ada1001", "NewPass99")
	res, err = again.Login(ctx)
	must(t, err)
	if res.MustChangePassword() {
		t.Fatal("still must change")
	}
	_, err = e.accountClient(t, "ada1001", "Gen3rated").Login(ctx)
	if !portaswitch.IsAuthFailed(err) {
		t.Fatalf("old password: %v", err)
	}
	// The changed password is kept by the client for a later re-login.
	e.sim.ExpireSessions()
	e.clock.Add(48 * time.Hour)
	_, err = user.GetAccountInfo(ctx, portaswitch.GetAccountInfoRequest{})
	must(t, err)
	// An admin reset marks it must-change again.
	must(t, e.client.UpdateAccount(ctx, portaswitch.AccountInfo{IAccount: ia, Password: "Reset1234"}))
	res, err = e.accountClient(t, "ada1001", "Reset1234").Login(ctx)
	must(t, err)
	if !res.MustChangePassword() {
		t.Fatal("reset should require a change")
	}
	// Account-realm tokens do not work in the admin realm.
	tok, _ := user.Tokens()
	admin, err := portaswitch.New(portaswitch.Config{BaseURL: e.srv.URL, AccessToken: tok})
	must(t, err)
	_, err = admin.GetVendorBatchList(ctx)
	if !portaswitch.IsSessionExpired(err) {
		t.Fatalf("cross-realm token: %v", err)
	}
}

func TestInjectedFaults(t *testing.T) {
	ctx := context.Background()
	t.Run("fault then success", func(t *testing.T) {
		e := newEnv(t, func(o *sim.Options, _ *portaswitch.Config) {
			o.Faults = []sim.FaultRule{{Method: "Customer/get_customer_list", FaultCode: "Server.Customer.busy", FaultString: "try later", Count: 1}}
		})
		_, err := e.client.GetCustomerList(ctx, portaswitch.GetCustomerListRequest{})
		f := portaswitch.AsFault(err)
		if f == nil || f.FaultCode != "Server.Customer.busy" || f.FaultString != "try later" || f.Method != "get_customer_list" {
			t.Fatalf("got %v", err)
		}
		_, err = e.client.GetCustomerList(ctx, portaswitch.GetCustomerListRequest{})
		must(t, err)
	})
	t.Run("fail next N", func(t *testing.T) {
		e := newEnv(t, nil)
		must(t, e.sim.AddFaults(sim.FaultRule{Method: "Product/get_product_list", Count: 2}))
		for i := 0; i < 2; i++ {
			_, err := e.client.GetProductList(ctx, portaswitch.GetProductListRequest{})
			wantCode(t, err, "Server.Sim.injected_fault")
		}
		_, err := e.client.GetProductList(ctx, portaswitch.GetProductListRequest{})
		must(t, err)
	})
	t.Run("delay beyond the timeout", func(t *testing.T) {
		e := newEnv(t, func(_ *sim.Options, c *portaswitch.Config) { c.Timeout = 60 * time.Millisecond; c.ReadRetries = -1 })
		_, err := e.client.Login(ctx)
		must(t, err)
		must(t, e.sim.AddFaults(sim.FaultRule{Method: "DID/get_vendor_batch_list", Delay: sim.Duration{D: 250 * time.Millisecond}, Count: 1}))
		_, err = e.client.GetVendorBatchList(ctx)
		var te *portaswitch.TransportError
		if !errors.As(err, &te) || !te.Timeout() {
			t.Fatalf("want timeout transport error, got %v", err)
		}
	})
	t.Run("delay then read retry succeeds", func(t *testing.T) {
		e := newEnv(t, func(_ *sim.Options, c *portaswitch.Config) { c.Timeout = 60 * time.Millisecond })
		_, err := e.client.Login(ctx)
		must(t, err)
		must(t, e.sim.AddFaults(sim.FaultRule{Method: "DID/get_vendor_batch_list", Delay: sim.Duration{D: 200 * time.Millisecond}, Count: 1}))
		_, err = e.client.GetVendorBatchList(ctx)
		must(t, err)
		if n := e.count("/rest/DID/get_vendor_batch_list"); n != 2 {
			t.Fatalf("attempts %d", n)
		}
	})
	t.Run("apply then drop", func(t *testing.T) {
		e := newEnv(t, nil)
		must(t, e.sim.AddFaults(sim.FaultRule{Method: "Customer/add_customer", Drop: true, Count: 1}))
		_, err := e.client.AddCustomer(ctx, portaswitch.CustomerInfo{Name: "Dropped Call", ISO4217: "USD"})
		if !portaswitch.IsTransport(err) {
			t.Fatalf("want transport error, got %v", err)
		}
		if n := e.count("/rest/Customer/add_customer"); n != 1 {
			t.Fatalf("a write was retried: %d", n)
		}
		found := false
		for _, c := range e.sim.State().Customers {
			found = found || c.Name == "Dropped Call"
		}
		if !found {
			t.Fatal("the dropped call was not applied")
		}
		// The caller looks before repeating: the customer is there.
		_, err = e.client.AddCustomer(ctx, portaswitch.CustomerInfo{Name: "Dropped Call", ISO4217: "USD"})
		if !portaswitch.IsDuplicate(err) {
			t.Fatalf("repeat: %v", err)
		}
		info, err := e.client.GetCustomerInfo(ctx, portaswitch.GetCustomerInfoRequest{Name: "Dropped Call"})
		must(t, err)
		if info.ICustomer == 0 {
			t.Fatal("lookup")
		}
	})
	t.Run("dropped read is retried", func(t *testing.T) {
		e := newEnv(t, nil)
		must(t, e.sim.AddFaults(sim.FaultRule{Method: "UA/get_ua_list", Drop: true, Count: 2}))
		_, err := e.client.GetUAList(ctx, portaswitch.GetUAListRequest{})
		must(t, err)
		if n := e.count("/rest/UA/get_ua_list"); n != 3 {
			t.Fatalf("attempts %d", n)
		}
	})
	t.Run("faults over HTTP", func(t *testing.T) {
		e := newEnv(t, nil)
		resp, err := http.Post(e.srv.URL+"/sim/faults", "application/json", strings.NewReader(`{"method":"Session/login","faultcode":"Server.Session.auth_failed"}`))
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("POST /sim/faults: %d", resp.StatusCode)
		}
		_, err = e.client.Login(ctx)
		if !portaswitch.IsAuthFailed(err) {
			t.Fatalf("injected auth fault: %v", err)
		}
		req, _ := http.NewRequest(http.MethodDelete, e.srv.URL+"/sim/faults", nil)
		resp, err = http.DefaultClient.Do(req)
		must(t, err)
		resp.Body.Close()
		_, err = e.client.Login(ctx)
		must(t, err)
		resp, err = http.Post(e.srv.URL+"/sim/faults", "application/json", strings.NewReader(`{"method":"nonsense"}`))
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Fatalf("bad rule accepted: %d", resp.StatusCode)
		}
	})
}

func TestConcurrentAssignOneNumber(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	const n = 100
	customers := make([]int64, n)
	for i := range customers {
		customers[i] = newCustomer(t, e.client, fmt.Sprintf("Racer %03d", i))
	}
	nums, err := e.client.GetNumberList(ctx, portaswitch.GetNumberListRequest{Usage: portaswitch.UsageIdle, Limit: 1})
	must(t, err)
	target := nums[0].IDIDNumber
	var wg sync.WaitGroup
	var ok, taken atomic.Int64
	start := make(chan struct{})
	for _, ic := range customers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := e.client.AssignDIDToCustomer(ctx, ic, target)
			switch {
			case err == nil:
				ok.Add(1)
			case portaswitch.FaultCode(err) == "Server.DID.already_assigned":
				taken.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if ok.Load() != 1 || taken.Load() != n-1 {
		t.Fatalf("successes %d, refusals %d", ok.Load(), taken.Load())
	}
	owners := 0
	for _, num := range e.sim.State().Numbers {
		if num.IDIDNumber == target && num.ICustomer != 0 {
			owners++
		}
	}
	if owners != 1 {
		t.Fatalf("owners %d", owners)
	}
}

// TestTransportErrors checks that anything other than 200/500-with-fault is a
// TransportError, and a 500 fault is a Fault.
func TestTransportErrors(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		status int
		body   string
		fault  bool
	}{
		{"bad gateway", 502, "<html>bad gateway</html>", false},
		{"200 not json", 200, "<html>ok</html>", false},
		{"200 json array", 200, "[1,2]", false},
		{"200 wrong shape", 200, `{"product_list": "nope"}`, false},
		{"500 html", 500, "Internal Server Error", false},
		{"500 fault", 500, `{"faultcode":"Server.X.y","faultstring":"card 4242424242424242 bad"}`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/Session/login") {
					fmt.Fprint(w, `{"access_token":"t","refresh_token":"r","session_id":"s","expires_at":"2030-01-01 00:00:00"}`)
					return
				}
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			c, err := portaswitch.New(portaswitch.Config{BaseURL: srv.URL, Login: "a", Password: "b", ReadRetries: -1})
			must(t, err)
			_, err = c.GetProductList(ctx, portaswitch.GetProductListRequest{})
			if tc.fault {
				f := portaswitch.AsFault(err)
				if f == nil || strings.Contains(f.Error(), "4242424242424242") {
					t.Fatalf("want redacted fault, got %v", err)
				}
				return
			}
			if !portaswitch.IsTransport(err) || portaswitch.AsFault(err) != nil {
				t.Fatalf("want transport error, got %v", err)
			}
		})
	}
	t.Run("refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		c, err := portaswitch.New(portaswitch.Config{BaseURL: url, Login: "a", Password: "b", RetryBackoff: time.Millisecond})
		must(t, err)
		_, err = c.GetProductList(ctx, portaswitch.GetProductListRequest{})
		if !portaswitch.IsTransport(err) {
			t.Fatalf("want transport error, got %v", err)
		}
	})
	if _, err := portaswitch.New(portaswitch.Config{BaseURL: "ftp://x"}); err == nil {
		t.Fatal("bad BaseURL accepted")
	}
}

func TestStartInProcess(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := sim.Start(ctx, sim.Options{})
	must(t, err)
	defer srv.Close()
	c, err := portaswitch.New(portaswitch.Config{BaseURL: srv.URL, Login: "admin", Password: "admin"})
	must(t, err)
	p, err := c.GetProductList(ctx, portaswitch.GetProductListRequest{})
	must(t, err)
	if len(p) != 3 {
		t.Fatalf("products %d", len(p))
	}
	if srv.AccountURL != srv.URL+sim.AccountPrefix {
		t.Fatal(srv.AccountURL)
	}
	must(t, srv.Close())
	must(t, srv.Close())
}
