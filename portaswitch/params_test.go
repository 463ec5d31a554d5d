package portaswitch_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"websignup/portaswitch"
)

// captureTransport records each call's body by Service/method and answers
// with a result every call of the client accepts.
type captureTransport struct {
	mu     sync.Mutex
	bodies map[string]string
}

func (t *captureTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	name := strings.TrimPrefix(r.URL.Path, "/rest/")
	t.mu.Lock()
	t.bodies[name] = string(b)
	t.mu.Unlock()
	answer := `{"success":1,"access_token":"tok","refresh_token":"ref","user_id":1,"i_customer":5,"i_account":6,"i_payment_method":7,"transaction_list":[]}`
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(answer)), Request: r}, nil
}

// TestParamsAsMaps checks that every call sends its params byte for byte as
// the map of the same keys and values encodes (how the client built them
// before they were structs): the same keys, order and zero values.
func TestParamsAsMaps(t *testing.T) {
	ctx := context.Background()
	rt := &captureTransport{bodies: map[string]string{}}
	c, err := portaswitch.New(portaswitch.Config{BaseURL: "http://portaswitch.test", Login: "admin", Password: "admin",
		RefreshToken: "ref-0", HTTPClient: &http.Client{Transport: rt}})
	must(t, err)
	cust := portaswitch.CustomerInfo{Name: "Ada <&>", ISO4217: "USD", IParent: 1, Email: "ada@example.com"}
	acct := portaswitch.AccountInfo{ICustomer: 5, IProduct: 2, BillingModel: portaswitch.BillingModelCredit, ID: "12065550100", Balance: "1.50"}
	card := portaswitch.PaymentMethodInfo{PaymentMethod: portaswitch.BrandVisa, Number: "4242424242424242", ExpDate: "2030-12-31", CVV: "737"}

	calls := []struct {
		name string
		call func() error
		want map[string]any
	}{
		{"DID/assign_did_to_customer", func() error { return c.AssignDIDToCustomer(ctx, 5, 9) },
			map[string]any{"i_customer": 5, "i_did_number": 9}},
		{"DID/release_did_from_customer", func() error { return c.ReleaseDIDFromCustomer(ctx, 9) },
			map[string]any{"i_did_number": 9}},
		{"DID/assign_did_to_account", func() error { return c.AssignDIDToAccount(ctx, 9, 0) },
			map[string]any{"i_did_number": 9, "i_master_account": 0}},
		{"Customer/add_customer", func() error { _, err := c.AddCustomer(ctx, cust); return err },
			map[string]any{"customer_info": cust}},
		{"Customer/update_customer", func() error { return c.UpdateCustomer(ctx, cust) },
			map[string]any{"customer_info": cust}},
		{"Customer/terminate_customer", func() error { return c.TerminateCustomer(ctx, 5) },
			map[string]any{"i_customer": 5}},
		{"Account/add_account", func() error { _, err := c.AddAccount(ctx, acct); return err },
			map[string]any{"account_info": acct}},
		{"Account/update_account", func() error { return c.UpdateAccount(ctx, acct) },
			map[string]any{"account_info": acct}},
		{"Account/terminate_account", func() error { return c.TerminateAccount(ctx, 6, true) },
			map[string]any{"i_account": 6, "release_assigned_did": "Y"}},
		{"Account/assign_ua", func() error { return c.AssignUA(ctx, 6, 3, 0) },
			map[string]any{"i_account": 6, "i_ua": 3, "port": 1}},
		{"Account/release_ua", func() error { return c.ReleaseUA(ctx, 6, 3) },
			map[string]any{"i_account": 6, "i_ua": 3}},
		{"Customer/update_payment_method", func() error { _, err := c.UpdatePaymentMethod(ctx, 5, card); return err },
			map[string]any{"i_customer": 5, "payment_method_info": card}},
		{"Customer/get_transaction_list", func() error { _, err := c.GetTransactionList(ctx, 5); return err },
			map[string]any{"i_customer": 5}},
		{"Account/change_password", func() error { return c.ChangePassword(ctx, "old1pass", "new2pass") },
			map[string]any{"old_password": "old1pass", "new_password": "new2pass"}},
		{"Session/refresh_access_token", func() error { _, err := c.RefreshAccessToken(ctx); return err },
			map[string]any{"refresh_token": "ref"}},
		{"Session/ping", func() error { _, err := c.Ping(ctx); return err },
			map[string]any{"access_token": "tok"}},
		{"Session/logout", func() error { return c.Logout(ctx) },
			map[string]any{"access_token": "tok"}},
	}
	for _, tc := range calls {
		if err := tc.call(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		want, err := json.Marshal(struct {
			Params any `json:"params"`
		}{tc.want})
		must(t, err)
		if got := rt.bodies[tc.name]; got != string(want) {
			t.Errorf("%s sent\n%s\nwant\n%s", tc.name, got, want)
		}
	}
}
