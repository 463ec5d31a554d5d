package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"websignup/portaswitch/sim"
)

// transport is every bench client's: keep-alive, enough idle connections
// for every worker, no compression (the server sends none either).
var transport = &http.Transport{
	MaxIdleConns:        1024,
	MaxIdleConnsPerHost: 1024,
	IdleConnTimeout:     time.Minute,
	DisableCompression:  true,
}

// ipSeq numbers the client addresses the bench claims (X-Forwarded-For,
// believed from 127.0.0.1 as from a load balancer): every prospect, and
// every POST of the validate measure, comes from an address of its own, as
// on a real site, so the per-address rate limits hold as in production.
var ipSeq atomic.Uint32

// poolSeq alternates prospects between the demo's two number pools.
var poolSeq atomic.Uint32

func nextIP() string {
	n := ipSeq.Add(1)
	return fmt.Sprintf("10.%d.%d.%d", byte(n>>16), byte(n>>8), byte(n))
}

// client is one browser: its cookies, its address and its last CSRF token.
type client struct {
	base string
	hc   *http.Client
	ip   string
	csrf string
	// lat records the latency of each request by page name, if set.
	lat func(page string, d time.Duration)
	// quiet skips looking for the CSRF token in answers: the bench's own
	// CPU is taken from the machine websignup runs on.
	quiet bool
}

func newClient(base string, jar bool) *client {
	hc := &http.Client{Transport: transport, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if jar {
		hc.Jar, _ = cookiejar.New(nil)
	}
	return &client{base: base, hc: hc, ip: nextIP()}
}

var (
	csrfRE   = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	numberRE = regexp.MustCompile(`name="number" value="([0-9]+)"`)
	tokenRE  = regexp.MustCompile(`name="card_token" value="([^"]+)"`)
)

// do sends one request and returns the status and body; page names it for
// the latency record.
func (c *client) do(ctx context.Context, page, method, path string, form url.Values) (int, string, error) {
	var body io.Reader
	if form != nil {
		if c.csrf != "" {
			form.Set("_csrf", c.csrf)
		}
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return 0, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("X-Forwarded-For", c.ip)
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if c.lat != nil && err == nil {
		c.lat(page, time.Since(start))
	}
	if c.quiet {
		return resp.StatusCode, "", err
	}
	if m := csrfRE.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return resp.StatusCode, string(b), err
}

// expect is do that fails unless the status is want.
func (c *client) expect(ctx context.Context, want int, page, method, path string, form url.Values) (string, error) {
	code, body, err := c.do(ctx, page, method, path, form)
	if err != nil {
		return "", err
	}
	if code != want {
		return body, fmt.Errorf("%s %s: status %d, want %d", method, path, code, want)
	}
	return body, nil
}

// The answers every bench prospect gives.
var (
	addressForm = url.Values{"firstname": {"Ada"}, "lastname": {"Lovelace"}, "email": {"ada@example.com"},
		"phone1": {"+1 206 555 0199"}, "baddr1": {"1 Analytical Way"}, "city": {"Seattle"},
		"state": {"WA"}, "zip": {"98101"}, "country": {"US"}}
	paymentForm = url.Values{"card_name": {"Ada Lovelace"}, "card_number": {sim.TestCardApproved},
		"card_exp_month": {"12"}, "card_exp_year": {"2035"}, "card_cvv": {"123"}}
)

func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// startSession takes a prospect through the welcome page: it has a session.
func (c *client) startSession(ctx context.Context) error {
	if _, err := c.expect(ctx, 200, "welcome", "GET", "/s/demo/", nil); err != nil {
		return err
	}
	_, err := c.expect(ctx, 303, "welcome POST", "POST", "/s/demo/", url.Values{"product": {"1"}})
	return err
}

// signup walks the whole wizard, welcome to done, picking a random free
// number (another if a concurrent prospect took it) and bringing their own
// device. It returns the number signed up with.
func (c *client) signup(ctx context.Context) (string, error) {
	if err := c.startSession(ctx); err != nil {
		return "", err
	}
	if _, err := c.expect(ctx, 200, "address", "GET", "/s/demo/address", nil); err != nil {
		return "", err
	}
	if _, err := c.expect(ctx, 303, "address POST", "POST", "/s/demo/address", clone(addressForm)); err != nil {
		return "", err
	}
	// Prospects alternate between the demo's two pools, as people from
	// two cities would: one pool alone has too few numbers for the run.
	// Near the end of a run a pool can show no free number; then the
	// prospect looks in the other, as a person would.
	pool := 1 + poolSeq.Add(1)%2
	page, err := c.expect(ctx, 200, "phone", "GET", fmt.Sprintf("/s/demo/phone?pool=%d", pool), nil)
	if err != nil {
		return "", err
	}
	number := ""
	for try, switched := 0, false; ; try++ {
		if !numberRE.MatchString(page) && !switched {
			pool, switched = 3-pool, true
			if page, err = c.expect(ctx, 200, "phone", "GET", fmt.Sprintf("/s/demo/phone?pool=%d", pool), nil); err != nil {
				return "", err
			}
		}
		ns := numberRE.FindAllStringSubmatch(page, -1)
		if len(ns) == 0 {
			return "", errors.New("neither pool's phone page offers a number")
		}
		number = ns[rand.IntN(len(ns))][1]
		code, body, err := c.do(ctx, "phone POST", "POST", "/s/demo/phone",
			url.Values{"number": {number}, "device": {"byod"}, "pool": {strconv.Itoa(int(pool))}})
		if err != nil {
			return "", err
		}
		if code == 303 {
			break
		}
		if code != 422 || try == 5 {
			return "", fmt.Errorf("POST phone: status %d", code)
		}
		page = body // taken meanwhile: the list is fresh, pick again
	}
	if _, err := c.expect(ctx, 200, "payment", "GET", "/s/demo/payment", nil); err != nil {
		return "", err
	}
	if _, err := c.expect(ctx, 303, "payment POST", "POST", "/s/demo/payment", clone(paymentForm)); err != nil {
		return "", err
	}
	page, err = c.expect(ctx, 200, "summary", "GET", "/s/demo/summary", nil)
	if err != nil {
		return "", err
	}
	m := tokenRE.FindStringSubmatch(page)
	if m == nil {
		return "", errors.New("the summary has no card token")
	}
	if _, err := c.expect(ctx, 303, "signup POST", "POST", "/s/demo/signup", url.Values{"card_token": {m[1]}, "accept_terms": {"yes"}}); err != nil {
		return "", err
	}
	page, err = c.expect(ctx, 200, "done", "GET", "/s/demo/done", nil)
	if err != nil {
		return "", err
	}
	if !strings.Contains(page, `data-testid="done-completed"`) || !strings.Contains(page, number) {
		return "", errors.New("the done page does not show the signup completed with its number")
	}
	return number, nil
}

// latencies collects request latencies by page, from many goroutines.
type latencies struct {
	mu sync.Mutex
	by map[string][]time.Duration
}

func newLatencies() *latencies { return &latencies{by: map[string][]time.Duration{}} }

func (l *latencies) add(page string, d time.Duration) {
	l.mu.Lock()
	l.by[page] = append(l.by[page], d)
	l.mu.Unlock()
}

// quantile returns the q-quantile of ds (sorted in place).
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(q * float64(len(ds)-1))
	return ds[i]
}

// runResult is one closed-loop measure.
type runResult struct {
	n, errs  int
	elapsed  time.Duration
	lat      []time.Duration
	firstErr error
	// cpu is the server's CPU time during the run, when measured.
	cpu time.Duration
}

func (r runResult) perSecond() float64 { return float64(r.n) / r.elapsed.Seconds() }

// cpuPerRequest is the server's CPU time per request (0 when not measured).
func (r runResult) cpuPerRequest() time.Duration {
	if r.n == 0 {
		return 0
	}
	return r.cpu / time.Duration(r.n)
}

// errEnough tells closedLoop that a worker has no more work: it stops.
var errEnough = errors.New("enough")

// closedLoop runs conc workers for d (or until each returns errEnough), each repeating its op as fast as
// answers come, and measures throughput and latency. newOp builds worker
// i's op (its own client and session).
func closedLoop(conc int, d time.Duration, newOp func(i int) (func(context.Context) error, error)) (runResult, error) {
	ops := make([]func(context.Context) error, conc)
	for i := range ops {
		op, err := newOp(i)
		if err != nil {
			return runResult{}, err
		}
		ops[i] = op
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var (
		mu  sync.Mutex
		res runResult
		wg  sync.WaitGroup
	)
	start := time.Now()
	for _, op := range ops {
		wg.Go(func() {
			var lat []time.Duration
			errs := 0
			var first error
			for ctx.Err() == nil {
				t := time.Now()
				err := op(ctx)
				if errors.Is(err, errEnough) {
					break
				}
				if ctx.Err() != nil {
					break // cut off by the end of the run: not counted
				}
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				lat = append(lat, time.Since(t))
			}
			mu.Lock()
			res.n += len(lat)
			res.errs += errs
			res.lat = append(res.lat, lat...)
			if res.firstErr == nil {
				res.firstErr = first
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res, nil
}
