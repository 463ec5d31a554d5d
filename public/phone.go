package public

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/nyaruka/phonenumbers"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/memo"
	"websignup/internal/web"
)

// numberListSize is how many numbers the phone step offers at a time.
const numberListSize = 12

// maxSearchDigits caps the search: no phone number is longer (E.164).
const maxSearchDigits = 15

// numbersAsked is how many free numbers the phone page asks PortaSwitch for
// first, of which it offers numberListSize (see offered).
const numbersAsked = 4 * numberListSize

// maxNumbersAsked bounds how many free numbers the phone page asks
// PortaSwitch for when the first ones it got are held by other prospects.
const maxNumbersAsked = 400

// Messages of the phone step.
const (
	msgChooseNumber = "Choose a phone number"
	msgNumberTaken  = "That number was just taken. Please pick another one from the list."
	msgNumberGone   = "That number is no longer available. Please pick another one from the list."
	msgNumberCheck  = "We couldn't check that number just now. Please try again in a moment."
)

// phone shows the free numbers (searched with ?q=&pool=) and the devices.
func (h *handlers) phone(c *fiber.Ctx) error {
	w, err := h.load(c)
	if err != nil {
		return err
	}
	if ok, err := h.gate(c, w, forms.StepPhone); !ok {
		return err
	}
	p := w.sess.Progress
	list, err := h.numberList(c, w, c.Query("q"), c.Query("pool"), p.Number)
	if err != nil {
		return err
	}
	// Sent back by a failed Sign up (?signup=failed): say why.
	notice, err := h.signupNotice(c, w)
	if err != nil {
		return err
	}
	return h.renderPhoneNotice(c, w, fiber.StatusOK, list, p.Device, "", nil, notice)
}

// phoneNumbers sends the number list alone, for htmx to swap in place of
// the phone page's list when the prospect searches.
func (h *handlers) phoneNumbers(c *fiber.Ctx) error {
	w, err := h.load(c)
	if err != nil {
		return err
	}
	if ok, err := h.gateFragment(c, w, forms.StepPhone); !ok {
		return err
	}
	list, err := h.numberList(c, w, c.Query("q"), c.Query("pool"), w.sess.Progress.Number)
	if err != nil {
		return err
	}
	noStore(c)
	c.Vary("HX-Request")
	return web.Render(c, fiber.StatusOK, components.NumberList(list))
}

// gateFragment is gate for a fragment htmx asked for: instead of a
// redirect, which htmx would follow and swap the whole page into the list,
// it tells htmx to load the step the prospect must see.
func (h *handlers) gateFragment(c *fiber.Ctx, w *wizard, step forms.Step) (bool, error) {
	ok, err := h.gate(c, w, step)
	if ok || c.Get("HX-Request") != "true" {
		return ok, err
	}
	loc := string(c.Response().Header.Peek(fiber.HeaderLocation))
	c.Response().Header.Del(fiber.HeaderLocation)
	c.Set("HX-Redirect", loc)
	return false, c.SendStatus(fiber.StatusNoContent)
}

// phonePost takes the number and the device. The number is checked again in
// PortaSwitch and against the version's pools, then held for this session;
// a number another prospect holds is refused with the list refreshed.
func (h *handlers) phonePost(c *fiber.Ctx) error {
	w, err := h.load(c)
	if err != nil {
		return err
	}
	if ok, err := h.gate(c, w, forms.StepPhone); !ok {
		return err
	}
	if done, err := h.refuseBots(c, w); done {
		return err
	}
	ctx := c.UserContext()
	cfg := w.cfg()
	number := digitsOnly(formValue(c, forms.InputNumber))
	device := strings.TrimSpace(formValue(c, forms.InputDevice))
	var errs forms.FieldErrors

	var held forms.AvailableNumber
	switch {
	case number == "":
		errs = append(errs, forms.FieldError{Key: forms.InputNumber, Message: msgChooseNumber})
	default:
		n, found, err := h.Numbers.NumberInfo(ctx, number)
		switch {
		case err != nil:
			h.Logger.Warn("number lookup failed", "request_id", web.RequestID(c), "err", err)
			errs = append(errs, forms.FieldError{Key: forms.InputNumber, Message: msgNumberCheck})
		case !found || !inPools(*cfg, n):
			errs = append(errs, forms.FieldError{Key: forms.InputNumber, Message: msgNumberGone})
		default:
			held = n
		}
	}
	d, byod, derr := cfg.DeviceChoice(device)
	if derr != nil {
		errs = append(errs, forms.FieldError{Key: forms.InputDevice, Message: forms.ErrorMessage(derr)})
	} else if byod {
		device = forms.DeviceBYOD
	} else {
		device = strconv.FormatInt(d.IUAType, 10)
	}

	p := w.sess.Progress
	p.Number, p.Device = held.Number, device
	if errs.Len() == 0 {
		hold := forms.Hold{Number: held.Number, IDidNumber: held.IDidNumber, SessionID: w.sess.ID, ExpiresAt: w.holdUntil(h)}
		err := h.Sessions.ChooseNumber(ctx, hold, p, w.sess.CardBrand, w.sess.CardLast4, w.now)
		switch forms.ErrorCode(err) {
		case "":
		case forms.EConflict:
			errs = append(errs, forms.FieldError{Key: forms.InputNumber, Message: msgNumberTaken})
		default:
			return fmt.Errorf("choose number: %w", err)
		}
	}
	if errs.Len() > 0 {
		// The list is searched again: a number just taken is gone from it.
		keep := ""
		if errs.Get(forms.InputNumber) == "" {
			keep = number
		}
		list, err := h.numberList(c, w, formValue(c, "q"), formValue(c, "pool"), keep)
		if err != nil {
			return err
		}
		list.Error = errs.Get(forms.InputNumber)
		return h.renderPhone(c, w, fiber.StatusUnprocessableEntity, list, device, errs.Get(forms.InputDevice), errs)
	}

	w.saved(p, w.sess.CardBrand, w.sess.CardLast4)
	return h.redirect(c, w, forms.StepPayment)
}

// inPools reports whether a number belongs to one of the version's pools
// (and matches its prefix, when the pool has one).
func inPools(cfg forms.Config, n forms.AvailableNumber) bool {
	pool, ok := cfg.Pool(n.IDVBatch)
	return ok && strings.HasPrefix(n.Number, pool.Prefix)
}

func (h *handlers) renderPhone(c *fiber.Ctx, w *wizard, status int, list components.NumberListVM, device, deviceErr string, errs forms.FieldErrors) error {
	return h.renderPhoneNotice(c, w, status, list, device, deviceErr, errs, "")
}

// renderPhoneNotice is renderPhone with a notice above the form.
func (h *handlers) renderPhoneNotice(c *fiber.Ctx, w *wizard, status int, list components.NumberListVM, device, deviceErr string,
	errs forms.FieldErrors, notice string) error {
	cfg := w.cfg()
	vm := components.PhoneVM{FormVM: formVM(c, w), Numbers: list, DeviceError: deviceErr}
	vm.Errors = errorItems(errs)
	vm.Notice = notice
	for _, d := range cfg.Devices {
		vm.Devices = append(vm.Devices, components.NewDevice(d, cfg.DevicePrice(d), device == strconv.FormatInt(d.IUAType, 10)))
	}
	if cfg.AllowBYOD {
		vm.Devices = append(vm.Devices, components.NewBYOD(cfg.Currency(), device == forms.DeviceBYOD))
	}
	return h.render(c, status, components.PhonePage(h.page(w, forms.StepPhone, "Your number and phone"), vm))
}

// numberList searches a pool (poolParam, the version's first pool by
// default) for free numbers containing the digits of query, leaving out
// those other prospects hold. chosen, the session's number, is offered
// first and selected. PortaSwitch failing is shown on the page, not as an
// error: the prospect can search again.
func (h *handlers) numberList(c *fiber.Ctx, w *wizard, query, poolParam, chosen string) (components.NumberListVM, error) {
	cfg := w.cfg()
	query = cleanSearch(query)
	vm := components.NumberListVM{Slug: w.slug, Query: query}
	if len(cfg.Pools) == 0 {
		return vm, nil
	}
	pool := cfg.Pools[0]
	if id, err := strconv.ParseInt(strings.TrimSpace(poolParam), 10, 64); err == nil {
		if p, ok := cfg.Pool(id); ok {
			pool = p
		}
	}
	vm.PoolID = pool.IDVBatch
	for _, p := range cfg.Pools {
		vm.Pools = append(vm.Pools, components.PoolOptionVM{ID: p.IDVBatch, Name: p.Name, Selected: p.IDVBatch == pool.IDVBatch})
	}

	ctx := c.UserContext()
	// Ask for more than are shown: numbers other prospects hold are left
	// out, and each prospect is offered a share of the rest (offered). In
	// a burst of signups the first ones asked for can all be held; then ask
	// again for more, rather than show a pool with free numbers as empty.
	for limit := numbersAsked; ; limit = min(4*limit, maxNumbersAsked) {
		free, err := h.Numbers.FreeNumbers(ctx, pool, query, limit)
		if err != nil {
			h.Logger.Warn("number search failed", "request_id", web.RequestID(c), "pool", pool.IDVBatch, "err", err)
			vm.Unavailable = true
			return vm, nil
		}
		numbers := make([]string, 0, len(free))
		for _, n := range free {
			numbers = append(numbers, n.Number)
		}
		held := map[string]bool{}
		if len(numbers) > 0 {
			held, err = h.Sessions.HeldNumbers(ctx, numbers, w.sess.ID, w.now)
			if err != nil {
				return vm, fmt.Errorf("held numbers: %w", err)
			}
		}
		vm.Numbers = vm.Numbers[:0]
		if chosen != "" {
			vm.Numbers = append(vm.Numbers, components.NumberOptionVM{Number: chosen, Display: listedDisplay.of(chosen), Selected: true})
		}
		open := make([]string, 0, len(numbers))
		for _, n := range numbers {
			if !held[n] && n != chosen && strings.HasPrefix(n, pool.Prefix) {
				open = append(open, n)
			}
		}
		room := numberListSize - len(vm.Numbers)
		for _, n := range offered(open, room, w.sess.ID) {
			vm.Numbers = append(vm.Numbers, components.NumberOptionVM{Number: n, Display: listedDisplay.of(n)})
		}
		vm.More = len(open) > room || len(free) == limit
		if len(vm.Numbers) == numberListSize || len(free) < limit || limit >= maxNumbersAsked {
			return vm, nil
		}
	}
}

// offered picks the up to n numbers of open (free numbers, in PortaSwitch's
// order) that the prospect whose session is sessionID is shown, in open's
// order. When open holds more than n, each prospect gets their own share of
// it, chosen by a hash of their session and each number: the same share on
// every page load and on every instance, and, for two prospects choosing
// at the same moment, shares that overlap only in part. Everyone shown the
// same first n numbers made prospects in a burst pick the same ones, and
// all but one of them were told that the number was just taken.
func offered(open []string, n int, sessionID string) []string {
	if len(open) <= n {
		return open
	}
	type ranked struct {
		at   int
		rank uint64
	}
	seed := fnv64a(sessionID)
	rs := make([]ranked, len(open))
	for i, number := range open {
		rs[i] = ranked{at: i, rank: mix64(seed ^ fnv64a(number))}
	}
	slices.SortFunc(rs, func(a, b ranked) int { return cmp.Compare(a.rank, b.rank) })
	rs = rs[:n]
	slices.SortFunc(rs, func(a, b ranked) int { return cmp.Compare(a.at, b.at) })
	out := make([]string, n)
	for i, r := range rs {
		out[i] = open[r.at]
	}
	return out
}

// fnv64a is the FNV-1a hash of s. Strings that differ in their last
// characters (numbers of one pool) get hashes that differ mostly in their
// low bits: mix64 spreads them.
func fnv64a(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return h.Sum64()
}

// mix64 is MurmurHash3's 64-bit finaliser: every bit of x changes about
// half the bits of the result.
func mix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// cleanSearch keeps what a number search may hold: a leading "+" (the
// search is then the start of the number, country code first) and digits,
// spaces, dashes, dots and brackets as people write numbers, at most
// maxSearchDigits digits. NumberSource ignores all but the "+" and the digits.
func cleanSearch(q string) string {
	q = strings.TrimSpace(q)
	var b strings.Builder
	digits := 0
	for i, r := range q {
		switch {
		case r >= '0' && r <= '9':
			if digits == maxSearchDigits {
				return strings.TrimSpace(b.String())
			}
			digits++
			b.WriteRune(r)
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
			b.WriteRune(r)
		}
	}
	if digits == 0 {
		return ""
	}
	return strings.TrimSpace(b.String())
}

// digitsOnly keeps the digits of s: a search or a number as typed with
// spaces, dashes, brackets or a plus.
func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// displayNumber formats a number as PortaSwitch keeps it (E.164 digits
// without the plus, such as 12065550134) for people: +1 206-555-0134.
func displayNumber(n string) string {
	num, err := phonenumbers.Parse("+"+n, "")
	if err != nil || !phonenumbers.IsPossibleNumber(num) {
		return n
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}

// maxListedDisplays bounds listedDisplay; past it the cache starts afresh.
// An entry is a number and its display form, about 100 bytes.
const maxListedDisplays = 4096

// listedDisplay is displayNumber for PortaSwitch's numbers: those the phone
// step lists, and the one chosen, which the summary, done and self-care
// pages show (the phone step took it only from PortaSwitch's list).
var listedDisplay = newDisplayCache()

func newDisplayCache() *displayCache {
	return &displayCache{m: memo.Map[string, string]{Max: maxListedDisplays}}
}

// displayCache keeps displayNumber's result per number. The phone step
// lists the same pool's numbers to every prospect, page after page, and
// formatting one through phonenumbers costs a full parse (about 40
// allocations and 10 µs). A plain map under a lock, emptied when full,
// rather than an LRU: the numbers listed are a pool's first pages, a few
// hundred, and an LRU would write (move to front) on every hit. Only
// PortaSwitch's own numbers go in, never what a prospect typed: a number
// is formatted the same for everyone, so an entry cannot be stale or leak.
// It is safe for concurrent use.
type displayCache struct {
	m memo.Map[string, string]
}

// of returns displayNumber(n), formatted once per number.
func (dc *displayCache) of(n string) string {
	if s, ok := dc.m.Load(n); ok {
		return s
	}
	s := displayNumber(n)
	// A copy: n may share the memory of a larger string (and so may s,
	// which is n when n is not a possible number).
	k := strings.Clone(n)
	if s == n {
		s = k
	}
	dc.m.Store(k, s)
	return s
}
