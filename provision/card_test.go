package provision_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"websignup/provision"
)

func TestCardNeverPrinted(t *testing.T) {
	c := provision.Card{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVV: "987", Name: "Ada Lovelace", Brand: "VISA"}
	type holder struct {
		Card  provision.Card
		Ptr   *provision.Card
		Items []provision.Card
	}
	h := holder{Card: c, Ptr: &c, Items: []provision.Card{c}}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v"} {
		outs = append(outs, fmt.Sprintf(verb, c), fmt.Sprintf(verb, &c), fmt.Sprintf(verb, h))
	}
	outs = append(outs, c.String(), fmt.Sprint(c), fmt.Sprintln(&c), fmt.Errorf("add card %v: failed", c).Error())
	for _, handler := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		log := slog.New(handler(&buf))
		log.Info("card", "card", c, "ptr", &c, "any", any(c))
		outs = append(outs, buf.String())
	}
	for _, out := range outs {
		if strings.Contains(out, c.Number) || strings.Contains(out, "987") || strings.Contains(out, "424242") {
			t.Fatalf("card leaked: %s", out)
		}
	}
	if !strings.Contains(fmt.Sprint(c), "4242") || !strings.Contains(fmt.Sprint(c), "VISA") {
		t.Fatalf("String %q should show brand and last four", c)
	}
	d := &provision.Declined{Reason: "Your card was declined."}
	if strings.Contains(d.Error(), c.Number) {
		t.Fatal("declined error holds the card")
	}
}

func TestCredentialsHidePasswords(t *testing.T) {
	c := provision.Credentials{Login: "16045550100", WebPassword: "Secret1234567", SIPLogin: "16045550100", SIPPassword: "Sip9876543210"}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "creds", c)
	for _, out := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), buf.String()} {
		if strings.Contains(out, c.WebPassword) || strings.Contains(out, c.SIPPassword) {
			t.Fatalf("password shown: %s", out)
		}
		if !strings.Contains(out, c.Login) {
			t.Fatalf("login missing: %s", out)
		}
	}
	job := &provision.Job{ID: 3, Credentials: c, Status: provision.StatusCompleted}
	buf.Reset()
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "job", job)
	if strings.Contains(buf.String(), c.WebPassword) || !strings.Contains(buf.String(), "job.id=3") {
		t.Fatalf("job log: %s", buf.String())
	}
	// The store must be able to persist credentials, e.g. as JSON.
	b, _ := json.Marshal(c)
	if !strings.Contains(string(b), c.WebPassword) {
		t.Fatal("Credentials must still marshal for the (encrypting) store")
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 2000; i++ {
		p := provision.GeneratePassword(provision.PasswordLength)
		if len(p) != provision.PasswordLength {
			t.Fatalf("length %d", len(p))
		}
		for _, r := range p {
			if !strings.ContainsRune(provision.PasswordAlphabet, r) {
				t.Fatalf("%q has %q", p, r)
			}
		}
		if !strings.ContainsAny(p, "0123456789") || !strings.ContainsAny(p, "abcdefghijklmnopqrstuvwxyz") || !strings.ContainsAny(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			t.Fatalf("%q lacks a class", p)
		}
		if seen[p] {
			t.Fatalf("duplicate %q", p)
		}
		seen[p] = true
	}
	if n := len(provision.GeneratePassword(4)); n != 12 {
		t.Fatalf("short request gave %d characters, want 12", n)
	}
	if n := len(provision.GeneratePassword(32)); n != 32 {
		t.Fatalf("got %d, want 32", n)
	}
	// Every character shows up: the alphabet is used, not a subset.
	counts := map[rune]int{}
	for p := range seen {
		for _, r := range p {
			counts[r]++
		}
	}
	if len(counts) != len(provision.PasswordAlphabet) {
		t.Fatalf("only %d distinct characters", len(counts))
	}
}

func TestReferencesAreUnique(t *testing.T) {
	a, b := provision.NewReference(1), provision.NewReference(1)
	if a == b || !strings.HasPrefix(a, "websignup-job-1-") {
		t.Fatalf("%q %q", a, b)
	}
}

func TestCustomerAttributes(t *testing.T) {
	got := provision.CustomerAttributes(map[string]string{
		"firstname": " Ada ", "email": "ada@example.com", "zip": "", "heard_from": "a friend", "pet": "cat",
	})
	want := map[string]string{"firstname": "Ada", "email": "ada@example.com", "note": "heard_from: a friend\npet: cat"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
