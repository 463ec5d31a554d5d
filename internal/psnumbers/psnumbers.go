// Package psnumbers lists the free phone numbers of the wizard's number
// pools in PortaSwitch's DID inventory (DID/get_number_list) and re-checks a
// chosen number before it is held or assigned. It satisfies
// public.NumberSource.
//
// PortaSwitch numbers are stored as digits without "+", country code first
// (12065550100). A prospect's search is turned into one LIKE pattern for
// get_number_list's number filter:
//
//   - non-digits are dropped; a search with no digits filters nothing;
//   - a search that starts with "+" is the start of a number, country code
//     included ("+1 206" → "1206%");
//   - any other search is looked for anywhere in the number ("206", "7777",
//     "206-555" → "%206%", "%7777%", "%206555%"), which also finds area codes
//     and memorable endings.
//
// A pool's Prefix narrows the pattern further ("1206%" + search).
package psnumbers

import (
	"context"
	"fmt"
	"strings"

	"websignup/forms"
	"websignup/portaswitch"
)

// Limits of FreeNumbers.
const (
	// DefaultLimit is how many numbers FreeNumbers lists for a limit <= 0.
	DefaultLimit = 50
	// MaxLimit caps FreeNumbers' limit.
	MaxLimit = 500
	// PageSize is how many numbers one get_number_list call asks for.
	PageSize = 100
	// maxPages bounds the calls one FreeNumbers makes when pages hold
	// numbers it skips (frozen ones).
	maxPages = 10
	// maxSearchDigits caps the digits of a search: no number is longer.
	maxSearchDigits = 20
)

// Numbers reads the DID inventory through a PortaSwitch client. It is safe
// for concurrent use.
type Numbers struct {
	client *portaswitch.Client
}

// New returns a Numbers over client.
func New(client *portaswitch.Client) *Numbers { return &Numbers{client: client} }

// FreeNumbers lists up to limit idle numbers of pool (on no customer and no
// account, not frozen) that match search (see the package comment), in
// PortaSwitch's order, paging with limit and offset. Numbers held by other
// prospects are not excluded here: that is websignup's own state
// (storage.WizardStore.HeldNumbers). It returns the client's error, wrapped,
// when PortaSwitch fails.
func (n *Numbers) FreeNumbers(ctx context.Context, pool forms.Pool, search string, limit int) ([]forms.AvailableNumber, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	pattern, ok := Pattern(pool.Prefix, search)
	if !ok {
		return []forms.AvailableNumber{}, nil
	}
	out := make([]forms.AvailableNumber, 0, min(limit, PageSize))
	size := min(limit, PageSize)
	for page, offset := 0, 0; page < maxPages && len(out) < limit; page++ {
		list, err := n.client.GetNumberList(ctx, portaswitch.GetNumberListRequest{
			Usage:    portaswitch.UsageIdle,
			IDVBatch: pool.IDVBatch,
			Number:   pattern,
			Limit:    size,
			Offset:   offset,
		})
		if err != nil {
			return nil, fmt.Errorf("list free numbers of pool %d: %w", pool.IDVBatch, err)
		}
		for _, d := range list {
			if len(out) < limit && free(d) && d.IDVBatch == pool.IDVBatch && strings.HasPrefix(d.Number, pool.Prefix) {
				out = append(out, available(d))
			}
		}
		if len(list) < size {
			break
		}
		offset += len(list)
	}
	return out, nil
}

// NumberInfo looks number (digits only, as listed) up in PortaSwitch and
// reports whether it is still free: idle (on no customer and no account) and
// not frozen. A number PortaSwitch does not know, or one that is not digits,
// gives false and no error. The caller checks that the number's IDVBatch is
// one of the form's pools. It returns the client's error, wrapped, when
// PortaSwitch fails.
func (n *Numbers) NumberInfo(ctx context.Context, number string) (forms.AvailableNumber, bool, error) {
	if number == "" || len(number) > maxSearchDigits || strings.ContainsFunc(number, notDigit) {
		return forms.AvailableNumber{}, false, nil
	}
	// A pattern without "%" matches the number exactly.
	list, err := n.client.GetNumberList(ctx, portaswitch.GetNumberListRequest{
		Usage: portaswitch.UsageAll, Number: number, Limit: 2,
	})
	if err != nil {
		return forms.AvailableNumber{}, false, fmt.Errorf("look up number: %w", err)
	}
	for _, d := range list {
		if d.Number == number {
			return available(d), free(d), nil
		}
	}
	return forms.AvailableNumber{}, false, nil
}

// Pattern returns the get_number_list number pattern for a pool's prefix and
// a prospect's search (see the package comment), and false when no number
// can match both (a "+" search that contradicts the prefix). An empty
// pattern filters nothing.
func Pattern(prefix, search string) (string, bool) {
	search = strings.TrimSpace(search)
	isPrefix := strings.HasPrefix(search, "+")
	digits := strings.Map(func(r rune) rune {
		if notDigit(r) {
			return -1
		}
		return r
	}, search)
	if len(digits) > maxSearchDigits {
		return "", false
	}
	switch {
	case digits == "":
		if prefix == "" {
			return "", true
		}
		return prefix + "%", true
	case isPrefix:
		switch {
		case strings.HasPrefix(digits, prefix):
			return digits + "%", true
		case strings.HasPrefix(prefix, digits):
			return prefix + "%", true
		}
		return "", false
	case prefix == "":
		return "%" + digits + "%", true
	case strings.Contains(prefix, digits):
		// Every number of the pool contains the digits already.
		return prefix + "%", true
	}
	return prefix + "%" + digits + "%", true
}

func notDigit(r rune) bool { return r < '0' || r > '9' }

func free(d portaswitch.DIDNumber) bool {
	return d.ICustomer == 0 && d.IAccount == 0 && !strings.EqualFold(d.Frozen, "Y")
}

func available(d portaswitch.DIDNumber) forms.AvailableNumber {
	return forms.AvailableNumber{Number: d.Number, IDidNumber: d.IDIDNumber, IDVBatch: d.IDVBatch}
}
