package psnumbers_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"websignup/forms"
	"websignup/internal/psnumbers"
	"websignup/portaswitch"
	"websignup/portaswitch/sim"
)

func start(t *testing.T) (*psnumbers.Numbers, *portaswitch.Client) {
	t.Helper()
	c := simClient(t, nil)
	return psnumbers.New(c), c
}

// simClient is a client of a simulator of the test's own, through hc when
// it is not nil.
func simClient(t *testing.T, hc *http.Client) *portaswitch.Client {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := sim.Start(ctx, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	c, err := portaswitch.New(portaswitch.Config{BaseURL: srv.URL, Login: "admin", Password: "admin", HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var (
	seattle = forms.Pool{IDVBatch: 1, Name: "Seattle"}
	chicago = forms.Pool{IDVBatch: 2, Name: "Chicago"}
)

func TestPattern(t *testing.T) {
	tests := []struct {
		prefix, search string
		want           string
		ok             bool
	}{
		{"", "", "", true},
		{"", "  ", "", true},
		{"", "abc", "", true},
		{"1206", "", "1206%", true},
		{"", "206", "%206%", true},
		{"", "(206) 555-12", "%20655512%", true},
		{"", "7777", "%7777%", true},
		{"", "+1 206", "1206%", true},
		{"", "+1 (206) 55", "120655%", true},
		{"1206", "+1 206 5", "12065%", true},
		{"1206", "+1", "1206%", true},
		{"1206", "+1 425", "", false},
		{"1206", "7777", "1206%7777%", true},
		{"1206", "206", "1206%", true},
		{"", "1234567890123456789012", "", false},
		{"", "'; DROP%_", "", true},
	}
	for _, tt := range tests {
		got, ok := psnumbers.Pattern(tt.prefix, tt.search)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Pattern(%q, %q) = %q, %v; want %q, %v", tt.prefix, tt.search, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFreeNumbers(t *testing.T) {
	ctx := context.Background()
	nums, _ := start(t)

	check := func(name string, pool forms.Pool, search string, limit int, wantMin, wantMax int, each func(string) bool) []forms.AvailableNumber {
		t.Helper()
		got, err := nums.FreeNumbers(ctx, pool, search, limit)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) < wantMin || len(got) > wantMax {
			t.Errorf("%s: %d numbers, want %d to %d", name, len(got), wantMin, wantMax)
		}
		seen := map[string]bool{}
		for _, n := range got {
			if n.IDVBatch != pool.IDVBatch || n.IDidNumber == 0 || seen[n.Number] || (each != nil && !each(n.Number)) {
				t.Errorf("%s: unexpected %+v", name, n)
			}
			seen[n.Number] = true
		}
		return got
	}

	check("first page", seattle, "", 20, 20, 20, func(n string) bool { return len(n) == 11 })
	// More than one page of PortaSwitch's: the seeded pool has 220 numbers.
	check("all of a pool", seattle, "", 300, 220, 220, nil)
	check("default limit", chicago, "", 0, psnumbers.DefaultLimit, psnumbers.DefaultLimit, nil)
	check("digits anywhere", seattle, "7777", 50, 1, 50, func(n string) bool { return strings.Contains(n, "7777") })
	check("area code", seattle, "425", 300, 1, 220, func(n string) bool { return strings.Contains(n, "425") })
	check("international prefix", seattle, "+1 (206)", 300, 1, 219, func(n string) bool { return strings.HasPrefix(n, "1206") })
	check("pool prefix", forms.Pool{IDVBatch: 1, Prefix: "1425"}, "", 300, 1, 219, func(n string) bool { return strings.HasPrefix(n, "1425") })
	check("pool prefix and search", forms.Pool{IDVBatch: 1, Prefix: "1425"}, "7777", 300, 0, 219,
		func(n string) bool { return strings.HasPrefix(n, "1425") && strings.Contains(n[4:], "7777") })
	check("contradicting prefix", forms.Pool{IDVBatch: 1, Prefix: "1425"}, "+1206", 10, 0, 0, nil)
	check("nothing matches", seattle, "+44", 10, 0, 0, nil)
	check("other pool's area code", chicago, "+1206", 10, 0, 0, nil)

	if _, err := nums.FreeNumbers(ctx, forms.Pool{IDVBatch: 99}, "", 10); err == nil {
		t.Error("an unknown pool gave no error")
	}
}

func TestTakenNumbersAreNotFree(t *testing.T) {
	ctx := context.Background()
	nums, client := start(t)
	list, err := nums.FreeNumbers(ctx, seattle, "", 300)
	if err != nil || len(list) < 2 {
		t.Fatalf("FreeNumbers: %d, %v", len(list), err)
	}
	taken := list[0]

	info, free, err := nums.NumberInfo(ctx, taken.Number)
	if err != nil || !free || info != taken {
		t.Fatalf("NumberInfo(%s) before it is taken = %+v, %v, %v; want %+v, free", taken.Number, info, free, err, taken)
	}

	// Another signup takes it (the simulator's reseller is customer 1).
	if err := client.AssignDIDToCustomer(ctx, 1, taken.IDidNumber); err != nil {
		t.Fatal(err)
	}
	info, free, err = nums.NumberInfo(ctx, taken.Number)
	if err != nil || free || info.Number != taken.Number || info.IDidNumber != taken.IDidNumber {
		t.Errorf("NumberInfo of a taken number = %+v, %v, %v; want it, not free", info, free, err)
	}
	after, err := nums.FreeNumbers(ctx, seattle, "", 300)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(list)-1 {
		t.Errorf("after taking one: %d free, want %d", len(after), len(list)-1)
	}
	for _, n := range after {
		if n.Number == taken.Number {
			t.Error("a taken number is still listed as free")
		}
	}

	// Numbers PortaSwitch does not know, and garbage, are not free.
	for _, n := range []string{"19999999999", "", "1206%", taken.Number[:5], "+" + taken.Number} {
		if _, free, err := nums.NumberInfo(ctx, n); err != nil || free {
			t.Errorf("NumberInfo(%q) = free %v, %v; want not free, no error", n, free, err)
		}
	}
}

// countingTransport counts DID/get_number_list calls.
type countingTransport struct {
	mu    sync.Mutex
	lists int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/DID/get_number_list") {
		c.mu.Lock()
		c.lists++
		c.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(r)
}

func (c *countingTransport) calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lists
}

// TestCachedFreeNumbers: a cached Numbers asks PortaSwitch once per pool
// and search within its time to live, asks again after it, and forgets its
// lists as soon as NumberInfo finds a number taken.
func TestCachedFreeNumbers(t *testing.T) {
	ctx := context.Background()
	count := &countingTransport{}
	client := simClient(t, &http.Client{Transport: count})
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	nums := psnumbers.Cached(client, 2*time.Second)
	psnumbers.SetClock(nums, func() time.Time { return now })

	list := func(pool forms.Pool, search string) []forms.AvailableNumber {
		t.Helper()
		got, err := nums.FreeNumbers(ctx, pool, search, 24)
		if err != nil || len(got) == 0 {
			t.Fatalf("FreeNumbers(%d, %q) = %d numbers, %v", pool.IDVBatch, search, len(got), err)
		}
		return got
	}
	first := list(seattle, "")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { list(seattle, "") })
	}
	wg.Wait()
	if n := count.calls(); n != 1 {
		t.Fatalf("9 lists of one pool within the time to live made %d calls, want 1", n)
	}
	list(chicago, "")
	list(seattle, "7777")
	if n := count.calls(); n != 3 {
		t.Fatalf("another pool and another search made %d calls in all, want 3", n)
	}

	// Someone takes the first number: the list kept still offers it...
	taken := first[0]
	if err := client.AssignDIDToCustomer(ctx, 1, taken.IDidNumber); err != nil {
		t.Fatal(err)
	}
	if got := list(seattle, ""); got[0] != taken {
		t.Fatalf("within the time to live the list changed: %v", got[0])
	}
	// ...until choosing it finds it taken, which drops the lists.
	if _, free, err := nums.NumberInfo(ctx, taken.Number); err != nil || free {
		t.Fatalf("NumberInfo(taken) = free %v, %v", free, err)
	}
	before := count.calls()
	for _, n := range list(seattle, "") {
		if n.Number == taken.Number {
			t.Fatal("the list after NumberInfo found the number taken still offers it")
		}
	}
	if count.calls() != before+1 {
		t.Errorf("the list after a drop made %d calls, want 1", count.calls()-before)
	}

	// After the time to live it asks again.
	before = count.calls()
	now = now.Add(2 * time.Second)
	list(seattle, "")
	if count.calls() != before+1 {
		t.Errorf("a list older than its time to live was reused")
	}

	// New (the admin's catalog) never keeps lists.
	plain := psnumbers.New(client)
	before = count.calls()
	for range 2 {
		if _, err := plain.FreeNumbers(ctx, seattle, "", 24); err != nil {
			t.Fatal(err)
		}
	}
	if count.calls() != before+2 {
		t.Errorf("an uncached Numbers made %d calls for 2 lists", count.calls()-before)
	}
}
