// Package seal protects small secrets that travel through the browser, such
// as a card on its way from the payment step to Sign up, and signs values
// such as CSRF tokens.
//
// A Sealer holds two keys derived with HKDF-SHA256 from the server's secret
// (WEBSIGNUP_SECRET_KEY) and a purpose string: an AES-256-GCM key for Seal
// and Open, and an HMAC-SHA256 key for Sign and Verify. A token sealed or
// signed for one purpose never opens or verifies under another, so a sealed
// card cannot be replayed as, say, a CSRF token.
//
// A sealed token is base64url (no padding) of
//
//	version (1 byte) | expiry (8 bytes, Unix milliseconds, big endian) | nonce (12 bytes) | ciphertext+tag
//
// The version byte, the expiry and the caller's aad string are all
// authenticated as GCM additional data, so neither can be changed without
// Open failing with ErrInvalid.
package seal

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync"
	"time"
)

// KeySize is the length in bytes of the secret New accepts (AES-256).
const KeySize = 32

// MaxTokenLen is the longest token Open will look at, in characters; longer
// input is rejected as ErrInvalid before any decoding, so that an attacker
// cannot make the server decode megabytes.
const MaxTokenLen = 16 << 10

// MaxPlaintext is the largest plaintext Seal accepts, chosen so that every
// token Seal makes is at most MaxTokenLen characters long.
const MaxPlaintext = (MaxTokenLen/4)*3 - headerLen - tagLen

const (
	version   = 1
	expiryLen = 8
	nonceLen  = 12
	tagLen    = 16
	headerLen = 1 + expiryLen + nonceLen
)

// Errors returned by Open. Callers tell them apart with errors.Is; neither
// says anything about the plaintext.
var (
	// ErrExpired means the token was genuine but its expiry has passed.
	ErrExpired = errors.New("seal: token expired")
	// ErrInvalid means the token is not one this Sealer made for this aad:
	// tampered, truncated, oversize, garbage, or sealed for another purpose
	// or aad.
	ErrInvalid = errors.New("seal: invalid token")
)

// Sealer seals, opens, signs and verifies for one purpose. It is safe for
// concurrent use.
type Sealer struct {
	aead   cipher.AEAD
	macKey []byte
	// macs keeps keyed HMAC states for reuse: the CSRF token of every
	// page is signed, and a new HMAC costs a handful of allocations.
	macs sync.Pool
}

// New derives the keys for purpose from secret and returns a Sealer. It
// returns an error when secret is not KeySize bytes long or purpose is empty.
func New(secret []byte, purpose string) (*Sealer, error) {
	if len(secret) != KeySize {
		return nil, fmt.Errorf("seal: secret must be %d bytes, got %d", KeySize, len(secret))
	}
	if purpose == "" {
		return nil, errors.New("seal: empty purpose")
	}
	encKey, err := hkdf.Key(sha256.New, secret, nil, "websignup/seal/aes-256-gcm/v1/"+purpose, 32)
	if err != nil {
		return nil, fmt.Errorf("seal: derive key: %w", err)
	}
	macKey, err := hkdf.Key(sha256.New, secret, nil, "websignup/seal/hmac-sha256/v1/"+purpose, 32)
	if err != nil {
		return nil, fmt.Errorf("seal: derive key: %w", err)
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	s := &Sealer{aead: aead, macKey: macKey}
	s.macs.New = func() any { return hmac.New(sha256.New, s.macKey) }
	return s, nil
}

// Seal encrypts plaintext, bound to aad (e.g. the wizard session's id) and
// valid until expires, and returns a URL-safe token. It returns an error only
// when plaintext is larger than MaxPlaintext.
func (s *Sealer) Seal(plaintext []byte, aad string, expires time.Time) (string, error) {
	if len(plaintext) > MaxPlaintext {
		return "", fmt.Errorf("seal: plaintext of %d bytes is larger than %d", len(plaintext), MaxPlaintext)
	}
	buf := make([]byte, headerLen, headerLen+len(plaintext)+tagLen)
	buf[0] = version
	binary.BigEndian.PutUint64(buf[1:1+expiryLen], uint64(expires.UnixMilli()))
	nonce := buf[1+expiryLen : headerLen]
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails on supported platforms
	buf = s.aead.Seal(buf, nonce, plaintext, additional(buf[:1+expiryLen], aad))
	return base64.RawURLEncoding.EncodeToString(buf), nil
}

// Open checks and decrypts a token made by Seal with the same purpose and
// aad. It returns ErrInvalid for anything that is not such a token and
// ErrExpired for a genuine token whose expiry is not after now.
func (s *Sealer) Open(token, aad string, now time.Time) ([]byte, error) {
	if len(token) > MaxTokenLen || len(token) < base64.RawURLEncoding.EncodedLen(headerLen+tagLen) {
		return nil, ErrInvalid
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) < headerLen+tagLen || raw[0] != version {
		return nil, ErrInvalid
	}
	nonce := raw[1+expiryLen : headerLen]
	plain, err := s.aead.Open(nil, nonce, raw[headerLen:], additional(raw[:1+expiryLen], aad))
	if err != nil {
		return nil, ErrInvalid
	}
	// The expiry is checked only once it is known to be genuine.
	expires := time.UnixMilli(int64(binary.BigEndian.Uint64(raw[1 : 1+expiryLen])))
	if !now.Before(expires) {
		clear(plain)
		return nil, ErrExpired
	}
	return plain, nil
}

// additional is the GCM additional data: the token's version and expiry,
// then the caller's aad. The header has a fixed length, so no aad can be
// confused with another header.
func additional(header []byte, aad string) []byte {
	var b bytes.Buffer
	b.Grow(len(header) + len(aad))
	b.Write(header)
	b.WriteString(aad)
	return b.Bytes()
}

// Sign returns a URL-safe HMAC-SHA256 of msg under the purpose's MAC key.
func (s *Sealer) Sign(msg string) string {
	return base64.RawURLEncoding.EncodeToString(s.mac(msg))
}

// Verify reports whether mac is Sign(msg), comparing in constant time.
func (s *Sealer) Verify(msg, mac string) bool {
	if len(mac) != base64.RawURLEncoding.EncodedLen(sha256.Size) {
		return false
	}
	got, err := base64.RawURLEncoding.Strict().DecodeString(mac)
	if err != nil {
		return false
	}
	return hmac.Equal(got, s.mac(msg))
}

func (s *Sealer) mac(msg string) []byte {
	h := s.macs.Get().(hash.Hash)
	h.Reset()
	_, _ = io.WriteString(h, msg)
	sum := h.Sum(make([]byte, 0, sha256.Size))
	s.macs.Put(h)
	return sum
}
