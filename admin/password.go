package admin

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"websignup/forms"
)

// The argon2id parameters of new hashes: OWASP's first recommendation
// (19 MiB, 2 passes, 1 lane). Verification reads the parameters from the
// stored hash, so raising these later keeps old hashes working.
const (
	ArgonMemoryKiB = 19 * 1024
	ArgonTime      = 2
	ArgonThreads   = 1
	argonSaltLen   = 16
	argonKeyLen    = 32
)

// Password length limits. The upper one bounds the hashing work an
// attacker can ask for; passphrases fit comfortably.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// hashSlots bounds how many argon2id computations run at once: each takes
// 19 MiB, and a burst of logins must not exhaust the machine's memory.
var hashSlots = make(chan struct{}, 4)

// HashPassword returns the argon2id hash of password in the PHC string
// format: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>, with a random
// 16-byte salt.
func HashPassword(password string) string {
	salt := make([]byte, argonSaltLen)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails on supported platforms
	return encodeHash(salt, ArgonMemoryKiB, ArgonTime, ArgonThreads,
		argon2Key(password, salt, ArgonTime, ArgonMemoryKiB, ArgonThreads, argonKeyLen))
}

func argon2Key(password string, salt []byte, t, m uint32, p uint8, keyLen uint32) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey([]byte(password), salt, t, m, p, keyLen)
}

func encodeHash(salt []byte, m, t uint32, p uint8, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, m, t, p,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// phc is a parsed argon2id PHC string.
type phc struct {
	m, t uint32
	p    uint8
	salt []byte
	key  []byte
}

var errBadHash = errors.New("not an argon2id hash")

func parseHash(s string) (phc, error) {
	parts := strings.Split(s, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return phc{}, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return phc{}, errBadHash
	}
	var h phc
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.m, &h.t, &h.p); err != nil ||
		h.m < 8 || h.m > 1<<21 || h.t < 1 || h.t > 16 || h.p < 1 {
		return phc{}, errBadHash
	}
	var err error
	if h.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(h.salt) < 8 {
		return phc{}, errBadHash
	}
	if h.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(h.key) < 16 || len(h.key) > 64 {
		return phc{}, errBadHash
	}
	return h, nil
}

// CheckPassword reports whether password matches the PHC hash, comparing
// in constant time. A malformed hash never matches.
func CheckPassword(hash, password string) bool {
	h, err := parseHash(hash)
	if err != nil || len(password) > MaxPasswordLen {
		return false
	}
	got := argon2Key(password, h.salt, h.t, h.m, h.p, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(got, h.key) == 1
}

// dummyHash is checked against the password typed for an unknown address,
// so that an unknown address takes as long to refuse as a wrong password.
var dummyHash = sync.OnceValue(func() string { return HashPassword("no user has this password") })

// ValidatePassword checks a new password: MinPasswordLen to MaxPasswordLen
// characters of valid UTF-8. It returns an EInvalid error saying what to
// change.
func ValidatePassword(password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return forms.Errorf(forms.EInvalid, "The password contains characters that are not text")
	case n < MinPasswordLen:
		return forms.Errorf(forms.EInvalid, "Use a password of at least %d characters; a few unrelated words work well", MinPasswordLen)
	case len(password) > MaxPasswordLen:
		return forms.Errorf(forms.EInvalid, "Use a password of at most %d characters", MaxPasswordLen)
	}
	return nil
}
