package admin_test

import (
	"strings"
	"testing"

	"websignup/admin"
)

func TestArgon2Parameters(t *testing.T) {
	if admin.ArgonMemoryKiB < 19*1024 || admin.ArgonTime < 2 || admin.ArgonThreads < 1 {
		t.Fatalf("weaker than m=19 MiB, t=2, p=1: m=%d t=%d p=%d", admin.ArgonMemoryKiB, admin.ArgonTime, admin.ArgonThreads)
	}
	h1 := hashOnce()
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not an argon2id PHC string with the expected parameters", h1)
	}
	parts := strings.Split(h1, "$")
	if len(parts) != 6 || len(parts[4]) != 22 || len(parts[5]) != 43 { // 16-byte salt, 32-byte key, unpadded base64
		t.Errorf("salt %q key %q", parts[4], parts[5])
	}
	h2 := admin.HashPassword(testPassword)
	if h1 == h2 {
		t.Error("two hashes of one password are equal: no random salt")
	}
	if !admin.CheckPassword(h1, testPassword) || !admin.CheckPassword(h2, testPassword) {
		t.Error("the password does not match its hash")
	}
	if admin.CheckPassword(h1, testPassword+" ") || admin.CheckPassword(h1, "") {
		t.Error("a wrong password matches")
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		strings.Replace(h1, "m=19456", "m=99999999", 1), strings.Replace(h1, "v=19", "v=16", 1), h1[:len(h1)-10]} {
		if admin.CheckPassword(bad, testPassword) {
			t.Errorf("malformed hash %q matches", bad)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	for _, tc := range []struct {
		pw string
		ok bool
	}{{"short", false}, {"elevenchars", false}, {"twelve chars", true}, {strings.Repeat("x", 256), true}, {strings.Repeat("x", 257), false}, {"\xff\xfe invalid utf8 text", false}} {
		if err := admin.ValidatePassword(tc.pw); (err == nil) != tc.ok {
			t.Errorf("%q: %v", tc.pw, err)
		}
	}
}
