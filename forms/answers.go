package forms

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// Answers are a prospect's values for a page's fields, keyed by field key.
type Answers map[string]string

// CheckboxChecked is the stored value of a ticked checkbox; an unticked one
// is stored as "".
const CheckboxChecked = "yes"

// DefaultPhoneRegion is the region a phone number in national format is
// read in when the page has no country answer.
const DefaultPhoneRegion = "US"

// Messages shared by several kinds, for the prospect.
const (
	msgEmail  = "Enter an email address in the correct format, like name@example.com"
	msgTel    = "Enter a phone number, like +1 604 555 0134"
	msgNumber = "Enter a whole number"
	msgBig    = "Enter a smaller number"
	msgDate   = "Enter a real date"
	msgChoose = "Choose one of the options"
	msgTick   = "Tick the box to continue"
)

// ValidateAnswers checks a page's input against its fields and returns the
// answers to keep and the problems to show.
//
// The answers hold one entry for every field that is shown (a field whose
// ShowWhen condition is not met is neither required nor returned), cleaned:
// control characters stripped, spaces trimmed, capped at MaxValueLength, and
// normalised when valid (a phone number to E.164, a country code to capitals,
// a ticked checkbox to CheckboxChecked, a number to its plain decimal form).
// A field left empty is returned as "". Keys of input that are not fields are
// ignored. When there are errors the answers still hold what the prospect
// typed, so that the page can be shown again without losing anything; store
// them only when the errors are empty. The errors are in field order, at most
// one per field, and never quote the input.
func ValidateAnswers(fields []Field, input map[string]string) (Answers, FieldErrors) {
	answers := make(Answers, len(fields))
	var errs FieldErrors
	region := phoneRegion(fields, input)
	shown := make(map[string]bool, len(fields))
	for _, f := range fields {
		if _, dup := shown[f.Key]; dup {
			continue // a broken configuration; the first field with a key wins
		}
		if !conditionMet(f, shown, answers) {
			shown[f.Key] = false
			continue
		}
		shown[f.Key] = true
		value, msg := validateAnswer(f, input[f.Key], region)
		answers[f.Key] = value
		if msg != "" {
			errs = append(errs, FieldError{Key: f.Key, Message: msg})
		}
	}
	return answers, errs
}

// ShownFields returns the fields that are shown given the answers so far, in
// order: those without a condition, and those whose condition's field is
// shown and has the value the condition asks for. It returns no error.
func ShownFields(fields []Field, answers Answers) []Field {
	out := make([]Field, 0, len(fields))
	shown := make(map[string]bool, len(fields))
	for _, f := range fields {
		if _, dup := shown[f.Key]; dup {
			continue
		}
		ok := conditionMet(f, shown, answers)
		shown[f.Key] = ok
		if ok {
			out = append(out, f)
		}
	}
	return out
}

// conditionMet reports whether f is shown: it has no condition, or the field
// it depends on was shown earlier and has the value asked for.
func conditionMet(f Field, shown map[string]bool, answers Answers) bool {
	if f.ShowWhen == nil {
		return true
	}
	return shown[f.ShowWhen.Field] && answers[f.ShowWhen.Field] == f.ShowWhen.Equals
}

// phoneRegion returns the region to read national phone numbers in: the
// answer to the page's first country field when it is a country, else
// DefaultPhoneRegion.
func phoneRegion(fields []Field, input map[string]string) string {
	for _, f := range fields {
		if f.Kind == KindCountry {
			if c := strings.ToUpper(strings.TrimSpace(input[f.Key])); ValidCountry(c) {
				return c
			}
			break
		}
	}
	return DefaultPhoneRegion
}

// validateAnswer cleans one raw value and checks it against its field. It
// returns the value to keep and a message, "" when the value is fine.
func validateAnswer(f Field, raw, region string) (string, string) {
	v, tooLong := clean(raw, f.Kind == KindTextarea)
	if f.Kind == KindCheckbox {
		switch strings.ToLower(v) {
		case "on", "true", "yes", "1":
			return CheckboxChecked, ""
		}
		if f.Required {
			return "", msgTick
		}
		return "", ""
	}
	if v == "" {
		if f.Required {
			return "", requiredMessage(f)
		}
		return "", ""
	}
	limit := MaxValueLength
	if f.MaxLength > 0 && f.MaxLength < limit && hasLength(f.Kind) {
		limit = f.MaxLength
	}
	n := utf8.RuneCountInString(v)
	if tooLong || n > limit {
		return v, lengthMessage(f, limit, "fewer")
	}
	if f.MinLength > 0 && n < f.MinLength && hasLength(f.Kind) {
		return v, lengthMessage(f, f.MinLength, "more")
	}

	switch f.Kind {
	case KindEmail:
		if !validEmail(v) {
			return v, msgEmail
		}
	case KindTel:
		num, err := phonenumbers.Parse(v, region)
		if err != nil || !phonenumbers.IsValidNumber(num) {
			return v, msgTel
		}
		e164 := phonenumbers.Format(num, phonenumbers.E164)
		// Either form may match: the page shows the stored E.164 form when
		// the prospect comes back, and it must pass again.
		if !matchPattern(f.Pattern, v) && !matchPattern(f.Pattern, e164) {
			return v, patternMessage(f)
		}
		return e164, ""
	case KindNumber:
		i, err := strconv.ParseInt(v, 10, 64)
		if err != nil || strings.HasPrefix(v, "+") {
			if errors.Is(err, strconv.ErrRange) {
				return v, msgBig
			}
			return v, msgNumber
		}
		n := strconv.FormatInt(i, 10)
		if !matchPattern(f.Pattern, v) && !matchPattern(f.Pattern, n) {
			return v, patternMessage(f)
		}
		return n, ""
	case KindDate:
		t, err := time.Parse(time.DateOnly, v)
		if err != nil || t.Year() < 1800 || t.Year() > 2200 {
			return v, msgDate
		}
		return v, ""
	case KindSelect, KindRadio:
		for _, o := range f.Options {
			if o.Value == v {
				return v, ""
			}
		}
		return v, msgChoose
	case KindCountry:
		c := strings.ToUpper(v)
		if !ValidCountry(c) {
			return v, msgChoose
		}
		return c, ""
	}
	if !matchPattern(f.Pattern, v) {
		return v, patternMessage(f)
	}
	return v, ""
}

// hasLength reports whether lengths apply to a kind's values.
func hasLength(k Kind) bool {
	switch k {
	case KindText, KindTextarea, KindEmail, KindTel, KindNumber:
		return true
	}
	return false
}

// matchPattern reports whether v matches the whole pattern. A pattern that
// does not compile matches everything: Config.Validate refuses it, and a
// prospect must not be blocked by an operator's mistake.
func matchPattern(pattern, v string) bool {
	if pattern == "" {
		return true
	}
	re := cachedPattern(pattern)
	if re == nil {
		return true
	}
	return re.MatchString(v)
}

// patternCache holds the compiled form of every field pattern seen (nil for
// one that does not compile), so that validating a page compiles nothing.
// Patterns are the operators' configuration, a few per form; past
// maxCachedPatterns new ones are compiled on every use instead of kept.
var (
	patternCache   sync.Map // string → *regexp.Regexp
	patternsCached atomic.Int64
)

const maxCachedPatterns = 4096

func cachedPattern(pattern string) *regexp.Regexp {
	if re, ok := patternCache.Load(pattern); ok {
		return re.(*regexp.Regexp)
	}
	re, err := compilePattern(pattern)
	if err != nil {
		re = nil
	}
	if patternsCached.Load() < maxCachedPatterns {
		if _, loaded := patternCache.LoadOrStore(pattern, re); !loaded {
			patternsCached.Add(1)
		}
	}
	return re
}

// clean strips invalid UTF-8 and control characters from a raw value and
// trims it. Single-line values get a space for a line break or tab;
// multi-line ones keep "\n" and "\t". Values beyond MaxValueLength are cut
// there, and tooLong reports it.
func clean(raw string, multiline bool) (v string, tooLong bool) {
	// Cut absurd input before doing any work on it; a rune is at most 4 bytes.
	if len(raw) > 4*MaxValueLength+4 {
		raw, tooLong = raw[:4*MaxValueLength+4], true
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i, r := range raw {
		switch {
		case r == utf8.RuneError && isBadRune(raw[i:]):
			// invalid UTF-8: dropped
		case r == '\r':
			if !multiline {
				b.WriteByte(' ')
			}
		case r == '\n' || r == '\t':
			if multiline {
				b.WriteRune(r)
			} else {
				b.WriteByte(' ')
			}
		case isControl(r):
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	v = strings.TrimSpace(b.String())
	if utf8.RuneCountInString(v) > MaxValueLength {
		tooLong = true
		n := 0
		for i := range v {
			if n == MaxValueLength {
				v = v[:i]
				break
			}
			n++
		}
	}
	return v, tooLong
}

// isBadRune reports whether s starts with an invalid UTF-8 sequence (rather
// than an encoded U+FFFD).
func isBadRune(s string) bool {
	r, size := utf8.DecodeRuneInString(s)
	return r == utf8.RuneError && size <= 1
}

// isControl reports whether r is a character that has no place in an answer
// or a configured text: C0 and C1 controls, line and paragraph separators,
// the byte-order mark, and the bidirectional overrides that can make text
// read differently from what it is.
func isControl(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r == '\u2028', r == '\u2029', r == '\ufeff':
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// validEmail reports whether s is a plain address, local@domain, that mail
// servers accept: no display name, no quoting, no comments; a domain of at
// least two dot-separated labels with an alphabetic top level.
func validEmail(s string) bool {
	if len(s) > 254 {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || len(local) > 64 || domain == "" || strings.Contains(domain, "@") {
		return false
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for _, r := range local {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".!#$%&'*+/=?^_`{|}~-", r)) {
			return false
		}
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	if len(tld) < 2 {
		return false
	}
	for _, r := range tld {
		if r >= '0' && r <= '9' {
			return false
		}
	}
	return true
}

// labelText returns a field's label without trailing punctuation such as
// "Postcode:" or "Email *".
func labelText(f Field) string {
	return strings.TrimRight(strings.TrimSpace(f.Label), " :*")
}

// labelNoun returns the label as it reads inside a sentence: its first
// letter lower-cased unless the first word is an acronym ("ZIP code") or
// mixed case ("iPhone model").
func labelNoun(f Field) string {
	l := labelText(f)
	first, size := utf8.DecodeRuneInString(l)
	if size == 0 {
		return "answer"
	}
	next, _ := utf8.DecodeRuneInString(l[size:])
	if unicode.IsUpper(next) || unicode.IsDigit(next) {
		return l
	}
	return string(unicode.ToLower(first)) + l[size:]
}

// withoutDeterminer drops a leading "your", "a", "an" or "the".
func withoutDeterminer(noun string) (string, bool) {
	for _, d := range []string{"your ", "a ", "an ", "the "} {
		if len(noun) > len(d) && strings.EqualFold(noun[:len(d)], d) {
			return noun[len(d):], true
		}
	}
	return noun, false
}

// requiredMessage is the message for a required field left empty: "Enter
// your first name", "Choose your country", or, for a question, "Answer this
// question".
func requiredMessage(f Field) string {
	choose := f.Kind == KindSelect || f.Kind == KindRadio || f.Kind == KindCountry
	if strings.HasSuffix(labelText(f), "?") || labelText(f) == "" {
		if choose {
			return "Choose an answer"
		}
		return "Answer this question"
	}
	noun := labelNoun(f)
	if _, has := withoutDeterminer(noun); !has {
		noun = "your " + noun
	}
	if choose {
		return "Choose " + noun
	}
	return "Enter " + noun
}

// patternMessage is the message for a value that fails the field's pattern:
// "Enter a valid postcode".
func patternMessage(f Field) string {
	if strings.HasSuffix(labelText(f), "?") || labelText(f) == "" {
		return "Check your answer; it is not in the expected format"
	}
	noun, _ := withoutDeterminer(labelNoun(f))
	return "Enter a valid " + noun
}

// lengthMessage is "Postcode must be 10 characters or fewer" (or "or more").
func lengthMessage(f Field, n int, fewerOrMore string) string {
	l := labelText(f)
	if strings.HasSuffix(l, "?") || l == "" {
		l = "Your answer"
	} else if r, size := utf8.DecodeRuneInString(l); unicode.IsLower(r) {
		// "postcode" → "Postcode", but "iPhone model" stays as written.
		if next, _ := utf8.DecodeRuneInString(l[size:]); !unicode.IsUpper(next) {
			l = string(unicode.ToUpper(r)) + l[size:]
		}
	}
	unit := "characters"
	if n == 1 {
		unit = "character"
	}
	return l + " must be " + strconv.Itoa(n) + " " + unit + " or " + fewerOrMore
}

// Display returns an answer as a person reads it on the summary: the label
// of a chosen option, a country's name, "Yes" or "No" for a checkbox, the
// value itself otherwise. It returns no error.
func (f Field) Display(value string) string {
	switch f.Kind {
	case KindSelect, KindRadio:
		for _, o := range f.Options {
			if o.Value == value {
				return o.Label
			}
		}
	case KindCountry:
		if name := CountryName(value); name != "" {
			return name
		}
	case KindCheckbox:
		if value == CheckboxChecked {
			return "Yes"
		}
		return "No"
	}
	return value
}
