package seal_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"websignup/internal/seal"
)

var (
	secret  = bytes.Repeat([]byte{7}, seal.KeySize)
	now     = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	expires = now.Add(20 * time.Minute)
)

func mustNew(t testing.TB, key []byte, purpose string) *seal.Sealer {
	t.Helper()
	s, err := seal.New(key, purpose)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewRejectsBadInput(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := seal.New(make([]byte, n), "card"); err == nil {
			t.Errorf("New with a %d-byte secret: no error", n)
		}
	}
	if _, err := seal.New(secret, ""); err == nil {
		t.Error("New with an empty purpose: no error")
	}
}

func TestRoundTrip(t *testing.T) {
	s := mustNew(t, secret, "card")
	for _, plain := range [][]byte{{}, []byte("4242424242424242|123"), bytes.Repeat([]byte("x"), seal.MaxPlaintext)} {
		tok, err := s.Seal(plain, "session-1", expires)
		if err != nil {
			t.Fatalf("Seal(%d bytes): %v", len(plain), err)
		}
		if len(tok) > seal.MaxTokenLen {
			t.Errorf("token of %d chars is longer than MaxTokenLen", len(tok))
		}
		if strings.ContainsAny(tok, "+/=") {
			t.Errorf("token %q is not base64url without padding", tok[:20])
		}
		if len(plain) > 0 && strings.Contains(tok, string(plain)) {
			t.Error("token shows the plaintext")
		}
		got, err := s.Open(tok, "session-1", now)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if !bytes.Equal(got, plain) {
			t.Errorf("Open = %q, want %q", got, plain)
		}
		// A Sealer made again from the same secret and purpose (another
		// instance, a restart) opens it too.
		if _, err := mustNew(t, secret, "card").Open(tok, "session-1", now); err != nil {
			t.Errorf("another Sealer for the same purpose: %v", err)
		}
	}
	if _, err := s.Seal(make([]byte, seal.MaxPlaintext+1), "a", expires); err == nil {
		t.Error("Seal of an oversize plaintext: no error")
	}
}

func TestSealIsRandomised(t *testing.T) {
	s := mustNew(t, secret, "card")
	a, _ := s.Seal([]byte("same"), "x", expires)
	b, _ := s.Seal([]byte("same"), "x", expires)
	if a == b {
		t.Error("two seals of the same plaintext are equal: the nonce is not random")
	}
}

func TestTamperEveryByte(t *testing.T) {
	s := mustNew(t, secret, "card")
	tok, err := s.Seal([]byte("4242424242424242|123"), "session-1", expires)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	for i := range raw {
		for _, flip := range []byte{0x01, 0x80, 0xff} {
			bad := bytes.Clone(raw)
			bad[i] ^= flip
			_, err := s.Open(base64.RawURLEncoding.EncodeToString(bad), "session-1", now)
			if !errors.Is(err, seal.ErrInvalid) {
				t.Fatalf("byte %d ^ %#x: Open error = %v, want ErrInvalid", i, flip, err)
			}
		}
	}
	// Truncated and extended tokens.
	for _, bad := range [][]byte{raw[:len(raw)-1], raw[1:], append(bytes.Clone(raw), 0)} {
		if _, err := s.Open(base64.RawURLEncoding.EncodeToString(bad), "session-1", now); !errors.Is(err, seal.ErrInvalid) {
			t.Errorf("changed length %d: Open error = %v, want ErrInvalid", len(bad), err)
		}
	}
}

func TestWrongAADOrPurposeOrKey(t *testing.T) {
	s := mustNew(t, secret, "card")
	tok, _ := s.Seal([]byte("secret"), "session-1", expires)
	otherKey := bytes.Repeat([]byte{8}, seal.KeySize)
	cases := []struct {
		name string
		s    *seal.Sealer
		aad  string
	}{
		{"other aad", s, "session-2"},
		{"empty aad", s, ""},
		{"aad prefix", s, "session-"},
		{"other purpose", mustNew(t, secret, "csrf"), "session-1"},
		{"other secret", mustNew(t, otherKey, "card"), "session-1"},
	}
	for _, c := range cases {
		if _, err := c.s.Open(tok, c.aad, now); !errors.Is(err, seal.ErrInvalid) {
			t.Errorf("%s: Open error = %v, want ErrInvalid", c.name, err)
		}
	}
}

func TestExpiry(t *testing.T) {
	s := mustNew(t, secret, "card")
	tok, _ := s.Seal([]byte("secret"), "a", expires)
	if _, err := s.Open(tok, "a", expires.Add(-time.Millisecond)); err != nil {
		t.Errorf("a millisecond before expiry: %v", err)
	}
	for _, at := range []time.Time{expires, expires.Add(time.Second), expires.Add(24 * time.Hour)} {
		if _, err := s.Open(tok, "a", at); !errors.Is(err, seal.ErrExpired) {
			t.Errorf("Open at expiry+%v: error = %v, want ErrExpired", at.Sub(expires), err)
		}
	}
	// An expired token with the wrong aad is invalid, not merely expired:
	// nothing about a token is believed before it is authenticated.
	if _, err := s.Open(tok, "b", expires.Add(time.Hour)); !errors.Is(err, seal.ErrInvalid) {
		t.Errorf("expired token, wrong aad: error = %v, want ErrInvalid", err)
	}
}

func TestGarbage(t *testing.T) {
	s := mustNew(t, secret, "card")
	for _, g := range []string{"", "a", "====", "not base64!", strings.Repeat("A", 100), strings.Repeat("A", seal.MaxTokenLen+4), "AQ"} {
		if _, err := s.Open(g, "a", now); !errors.Is(err, seal.ErrInvalid) {
			t.Errorf("Open(%.20q): error = %v, want ErrInvalid", g, err)
		}
	}
}

func TestSignVerify(t *testing.T) {
	s := mustNew(t, secret, "csrf")
	mac := s.Sign("cookie-id")
	if !s.Verify("cookie-id", mac) {
		t.Fatal("Verify rejects its own signature")
	}
	if s.Verify("cookie-id2", mac) || s.Verify("cookie-i", mac) {
		t.Error("Verify accepts the signature of another message")
	}
	if mustNew(t, secret, "card").Verify("cookie-id", mac) {
		t.Error("a signature verifies under another purpose")
	}
	if s.Verify("cookie-id", "") || s.Verify("cookie-id", mac[:len(mac)-1]) || s.Verify("cookie-id", mac+"A") {
		t.Error("Verify accepts a truncated, extended or empty signature")
	}
	raw, _ := base64.RawURLEncoding.DecodeString(mac)
	raw[0] ^= 1
	if s.Verify("cookie-id", base64.RawURLEncoding.EncodeToString(raw)) {
		t.Error("Verify accepts a changed signature")
	}
}

// Signatures made at once by many goroutines (the MAC states are reused)
// are each the one the message has alone.
func TestSignConcurrent(t *testing.T) {
	s := mustNew(t, secret, "csrf")
	want := make([]string, 64)
	for i := range want {
		want[i] = s.Sign(fmt.Sprintf("id-%d", i))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for n := range 500 {
				i := (n + g) % len(want)
				if got := s.Sign(fmt.Sprintf("id-%d", i)); got != want[i] {
					t.Errorf("Sign(id-%d) = %s, want %s", i, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
	if want[0] == want[1] {
		t.Error("two messages have one signature")
	}
}

func FuzzOpen(f *testing.F) {
	s := mustNew(f, secret, "card")
	tok, _ := s.Seal([]byte("4242424242424242|123"), "a", expires)
	f.Add(tok)
	f.Add("")
	f.Add("AQ")
	f.Add(tok[:len(tok)-2])
	f.Add(strings.Repeat("_", 200))
	f.Fuzz(func(t *testing.T, token string) {
		plain, err := s.Open(token, "a", now)
		if err == nil {
			// Only a token Seal made opens (worker processes seal their
			// own seed, so compare the plaintext, not the token).
			if string(plain) != "4242424242424242|123" {
				t.Fatalf("Open accepted a forged token: %q → %q", token, plain)
			}
			return
		}
		if !errors.Is(err, seal.ErrInvalid) {
			t.Fatalf("Open error = %v, want ErrInvalid", err)
		}
	})
}
