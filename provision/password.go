package provision

import (
	"crypto/rand"
	"strings"
)

const (
	lower       = "abcdefghijklmnopqrstuvwxyz"
	upper       = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digits      = "0123456789"
	lowerDigits = lower + digits
	// PasswordAlphabet is the alphabet of generated passwords: letters and
	// digits, which every PortaSwitch password rule accepts.
	PasswordAlphabet = upper + lower + digits
)

// PasswordLength is the length of generated passwords: at least 12 (the
// signup's rule), at most 32 (PortaSwitch's default maximum).
const PasswordLength = 16

// GeneratePassword returns a random password of n letters and digits (n is
// raised to 12 if smaller) from crypto/rand, with at least one upper-case
// letter, one lower-case letter and one digit.
func GeneratePassword(n int) string {
	if n < 12 {
		n = 12
	}
	for {
		p := randomString(n, PasswordAlphabet)
		if strings.ContainsAny(p, upper) && strings.ContainsAny(p, lower) && strings.ContainsAny(p, digits) {
			return p
		}
	}
}

// randomString returns n characters drawn uniformly from alphabet (at most
// 256 characters) using crypto/rand; rejection sampling avoids modulo bias.
// crypto/rand.Read never fails (it panics on an unusable system source).
func randomString(n int, alphabet string) string {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n+8)
	for len(out) < n {
		_, _ = rand.Read(buf)
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}
