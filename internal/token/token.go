// Package token makes the random opaque ids websignup hands to browsers as
// session cookies (the admin's and the wizard's), and recognises them, so
// that junk from a cookie never reaches the database.
package token

import (
	"crypto/rand"
	"encoding/base64"
)

// SessionIDBytes is the number of random bytes in a session id (256 bits).
const SessionIDBytes = 32

// sessionIDLen is the length of a session id as text.
var sessionIDLen = base64.RawURLEncoding.EncodedLen(SessionIDBytes)

// NewSessionID returns a fresh opaque session id: SessionIDBytes from
// crypto/rand, base64url without padding (43 characters).
func NewSessionID() string {
	var b [SessionIDBytes]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// PlausibleSessionID reports whether s could be an id NewSessionID made:
// the right length, base64url characters only.
func PlausibleSessionID(s string) bool {
	if len(s) != sessionIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '-', b == '_':
		default:
			return false
		}
	}
	return true
}
