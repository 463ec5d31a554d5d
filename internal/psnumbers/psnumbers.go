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
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

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

	// The lists of FreeNumbers, kept for listTTL when it is above 0
	// (Cached). forgotten counts the times the lists were dropped, so that
	// a list asked for before a drop is not kept after it.
	listTTL   time.Duration
	now       func() time.Time
	mu        sync.Mutex
	lists     map[string]cachedList
	forgotten uint64
	flight    singleflight.Group
}

type cachedList struct {
	numbers []forms.AvailableNumber
	at      time.Time
}

// maxCachedLists bounds the lists a cached Numbers keeps (one per pool and
// search asked for recently); when full it starts afresh.
const maxCachedLists = 256

// New returns a Numbers over client that asks PortaSwitch on every call.
func New(client *portaswitch.Client) *Numbers { return &Numbers{client: client} }

// Cached returns a Numbers over client whose FreeNumbers reuses a list for
// ttl after PortaSwitch gave it, and asks once for all the prospects who
// want the same list meanwhile. In a burst of signups the phone step's
// first page of a pool is the same for everyone: without the cache every
// prospect's page cost a DID/get_number_list call and the decoding of its
// answer (docs/performance.md).
//
// A list may so show a number that someone took within ttl. The phone
// step re-checks the chosen number (NumberInfo) before it holds it, and a
// NumberInfo that finds a number taken drops every list kept, so the page
// shown with "that number was just taken" is fresh. Numbers that other
// prospects hold are websignup's own state, never cached (see FreeNumbers).
func Cached(client *portaswitch.Client, ttl time.Duration) *Numbers {
	return &Numbers{client: client, listTTL: ttl, now: time.Now}
}

// FreeNumbers lists up to limit idle numbers of pool (on no customer and no
// account, not frozen) that match search (see the package comment), in
// PortaSwitch's order, paging with limit and offset. Numbers held by other
// prospects are not excluded here: that is websignup's own state
// (storage.WizardStore.HeldNumbers). It returns the client's error, wrapped,
// when PortaSwitch fails.
//
// The list returned is shared with other callers of a cached Numbers: the
// caller must not change it.
func (n *Numbers) FreeNumbers(ctx context.Context, pool forms.Pool, search string, limit int) ([]forms.AvailableNumber, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	pattern, ok := Pattern(pool.Prefix, search)
	if !ok {
		return []forms.AvailableNumber{}, nil
	}
	if n.listTTL <= 0 {
		return n.freeNumbers(ctx, pool, pattern, limit)
	}
	key := strconv.FormatInt(pool.IDVBatch, 10) + "|" + pool.Prefix + "|" + pattern + "|" + strconv.Itoa(limit)
	n.mu.Lock()
	c, ok := n.lists[key]
	n.mu.Unlock()
	if ok && n.now().Sub(c.at) < n.listTTL {
		return c.numbers, nil
	}
	// One call for everyone who wants this list now. It runs on the first
	// caller's context: a caller that gives up does not fail the others
	// unless it was that first one, whose error they share (rare; their
	// next page asks again).
	v, err, _ := n.flight.Do(key, func() (any, error) {
		n.mu.Lock()
		gen := n.forgotten
		n.mu.Unlock()
		at := n.now()
		list, err := n.freeNumbers(ctx, pool, pattern, limit)
		if err != nil {
			return nil, err
		}
		n.mu.Lock()
		if n.forgotten == gen {
			if n.lists == nil || len(n.lists) >= maxCachedLists {
				n.lists = make(map[string]cachedList)
			}
			n.lists[key] = cachedList{numbers: list, at: at}
		}
		n.mu.Unlock()
		return list, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]forms.AvailableNumber), nil
}

// forget drops the lists a cached Numbers keeps.
func (n *Numbers) forget() {
	n.mu.Lock()
	n.lists = nil
	n.forgotten++
	n.mu.Unlock()
}

// freeNumbers asks PortaSwitch for FreeNumbers' list.
func (n *Numbers) freeNumbers(ctx context.Context, pool forms.Pool, pattern string, limit int) ([]forms.AvailableNumber, error) {
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
			if !free(d) && n.listTTL > 0 {
				// Taken: a list kept may still offer it.
				n.forget()
			}
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
