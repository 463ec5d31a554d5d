package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func post(t *testing.T, url, body, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

func TestRunServesAndShutsDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuf
	ready := make(chan string, 1)
	done := make(chan error, 1)
	state := filepath.Join(t.TempDir(), "state.json")
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-login", "api", "-password", "pw123", "-state", state,
			"-faults", `[{"method":"UA/get_ua_type_list","faultcode":"Server.Sim.injected_fault","count":1}]`}, &stdout, &stderr, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		t.Fatal("not ready")
	}
	base := "http://" + addr
	code, out := post(t, base+"/rest/Session/login", `{"params":{"login":"api","password":"pw123"}}`, "")
	if code != 200 {
		t.Fatalf("login %d %v", code, out)
	}
	tok := out["access_token"].(string)
	code, out = post(t, base+"/rest/Product/get_product_list", `{"params":{}}`, tok)
	if code != 200 || len(out["product_list"].([]any)) != 3 {
		t.Fatalf("products %d %v", code, out)
	}
	code, out = post(t, base+"/rest/UA/get_ua_type_list", `{"params":{}}`, tok)
	if code != 500 || out["faultcode"] != "Server.Sim.injected_fault" {
		t.Fatalf("injected fault %d %v", code, out)
	}
	code, _ = post(t, base+"/rest/Customer/add_customer", `{"params":{"customer_info":{"name":"X","iso_4217":"USD","password":"CustSecret9"}}}`, tok)
	if code != 200 {
		t.Fatal("add_customer")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no shutdown")
	}
	if !strings.Contains(stdout.String(), `login "api" password "pw123"`) {
		t.Errorf("credentials not printed: %s", stdout.String())
	}
	logs := stderr.String()
	for _, want := range []string{"method=Session/login", "realm=admin", "outcome=ok", "duration=", "outcome=\"fault Server.Sim.injected_fault\""} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
	for _, secret := range []string{"pw123", tok, "CustSecret9"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log leaks %q", secret)
		}
	}
}

func TestRunBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-faults", "{nope"}, {"-bogus"}, {"extra"}, {"-addr", "256.0.0.1:99999"}} {
		if err := run(context.Background(), args, io.Discard, io.Discard, nil); err == nil {
			t.Errorf("run(%v) succeeded", args)
		}
	}
}
