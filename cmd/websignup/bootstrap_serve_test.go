package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// TestServeFirstOperatorSignsInAtOnce: the operator created from
// WEBSIGNUP_ADMIN_EMAIL/PASSWORD at start can open the admin area right
// away, not only after the next periodic policy reload.
func TestServeFirstOperatorSignsInAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	var logs syncBuffer
	env := envOf(map[string]string{
		"WEBSIGNUP_DATA_DIR":       t.TempDir(),
		"WEBSIGNUP_ADMIN_EMAIL":    "first@operator.example",
		"WEBSIGNUP_ADMIN_PASSWORD": "a-long-first-password-42",
	})
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, env, io.Discard, &logs,
			hooks{listening: func(a net.Addr) { addrs <- a }})
	}()
	var base string
	select {
	case a := <-addrs:
		base = "http://" + a.String()
	case err := <-done:
		t.Fatalf("serve ended early: %v\n%s", err, logs.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not start\n%s", logs.String())
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}

	res, err := client.Get(base + "/admin/login")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	token, _ := doc.Find(`input[name="_csrf"]`).Attr("value")
	res, err = client.PostForm(base+"/admin/login", url.Values{
		"_csrf": {token}, "email": {"first@operator.example"}, "password": {"a-long-first-password-42"},
	})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Request.URL.Path != "/admin/" || res.StatusCode != http.StatusOK {
		t.Fatalf("sign-in ended on %s with %d; want /admin/ with 200", res.Request.URL.Path, res.StatusCode)
	}
	res, err = client.Get(base + "/admin/users")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "first@operator.example") {
		t.Errorf("GET /admin/users right after start = %d; want 200 listing the operator", res.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
