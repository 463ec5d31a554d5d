// Command websignup-bench measures websignup on this machine and prints,
// side by side, each figure with its goal (issue 7) and PASS or FAIL:
//
//	floor     a Fiber handler returning a constant string, on websignup's
//	          own app and middleware (web.New), in a process of its own
//	welcome   GET /s/demo/                          ≥ 50% of floor's requests/s
//	step      GET /s/demo/address, live session     ≥ 30% of floor's requests/s
//	validate  POST /s/demo/address (→ 303)          ≥ 15% of floor's requests/s
//	signup    complete signups/s, welcome → done    ≥ 150/s
//	cost      websignup's CPU per signup            ≤ 3 ms (the simulator excluded)
//	latency   p50/p99 per page at -c clients        p99 ≤ 20 ms
//	memory    RSS idle, and after 10,000 abandoned sessions  ≤ 40 MB, ≤ +30 MB
//
// It runs the built binaries as processes of their own (bin/websignup,
// bin/portasim, and itself as the floor server) on loopback, with plain
// net/http clients (keep-alive, a fixed number of concurrent clients, a
// bounded duration), and reads their CPU time and resident memory from
// /proc. Throughput figures are ratios to the floor measured in the same
// run, so they hold on a noisy machine.
//
// The page measures use websignup as `make run` runs it: SQLite and the
// in-process simulator. The signup and cost measures use a second websignup
// on a fresh SQLite file with the simulator as its own process (portasim,
// PORTASWITCH_URL), so that websignup's CPU does not include the
// simulator's. Clients claim an address of their own through
// X-Forwarded-For (127.0.0.1 is a trusted proxy, as a load balancer would
// be), so the per-address rate limits apply as in production.
//
// Usage: websignup-bench [-bin bin] [-d 5s] [-c 32] [-signups 400] [-runs 1] [-only pages|signup] [-strict]
//
// With -runs N the signup measure runs N times on fresh processes and judges
// the median run: one run's cost can be a fifth off on a shared machine.
package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "floor-server" {
		if err := floorServer(); err != nil {
			fmt.Fprintln(os.Stderr, "floor-server:", err)
			os.Exit(1)
		}
		return
	}
	ok, err := bench(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "websignup-bench:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(2)
	}
}

type options struct {
	bin         string
	dur         time.Duration
	conc        int
	signups     int
	signupDur   time.Duration
	runs        int
	sessions    int
	strict      bool
	keep        bool
	self        string
	tmp         string
	websignup   string
	portasim    string
	reportLines []row
	extraEnv    string
	only        string
	// floorCPU is the floor server's CPU per request (0 until measured).
	floorCPU time.Duration
}

// row is one line of the report.
type row struct {
	measure, result, goal, verdict string
}

var listeningRE = regexp.MustCompile(`"msg":"listening","addr":"([^"]+)"`)

func bench(args []string) (bool, error) {
	o := &options{}
	fs := flag.NewFlagSet("websignup-bench", flag.ContinueOnError)
	fs.StringVar(&o.bin, "bin", "bin", "folder holding the built websignup and portasim")
	fs.DurationVar(&o.dur, "d", 5*time.Second, "duration of each throughput measure")
	fs.IntVar(&o.conc, "c", 32, "concurrent clients")
	fs.IntVar(&o.signups, "signups", 400, "most signups to start (the simulator has 440 numbers)")
	fs.DurationVar(&o.signupDur, "signup-d", 15*time.Second, "longest duration of the signup measure")
	fs.IntVar(&o.runs, "runs", 1, "signup runs, each on fresh processes: the median run's rate and cost are judged")
	fs.IntVar(&o.sessions, "sessions", 10000, "abandoned sessions for the memory measure")
	fs.BoolVar(&o.strict, "strict", false, "exit with status 2 when a goal is missed")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary folder (databases, logs)")
	fs.StringVar(&o.only, "only", "", "run only this part: pages (memory, floor, welcome, step, validate) or signup (signup, cost)")
	fs.StringVar(&o.extraEnv, "env", "", "extra environment of websignup, comma-separated NAME=VALUE (e.g. WEBSIGNUP_METRICS_ADDR=127.0.0.1:9090,WEBSIGNUP_PPROF=true to profile)")
	if err := fs.Parse(args); err != nil {
		return false, err
	}
	if o.runs < 1 {
		return false, fmt.Errorf("-runs %d: want 1 or more", o.runs)
	}
	if o.only != "" && o.only != "pages" && o.only != "signup" {
		return false, fmt.Errorf("-only %q: want pages or signup", o.only)
	}
	o.websignup, o.portasim = filepath.Join(o.bin, "websignup"), filepath.Join(o.bin, "portasim")
	for _, b := range []string{o.websignup, o.portasim} {
		if _, err := os.Stat(b); err != nil {
			return false, fmt.Errorf("%s: %v (run make build)", b, err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		return false, err
	}
	o.self = self
	o.tmp, err = os.MkdirTemp("", "websignup-bench-")
	if err != nil {
		return false, err
	}
	if o.keep {
		fmt.Println("keeping", o.tmp)
	} else {
		defer os.RemoveAll(o.tmp)
	}
	fmt.Printf("websignup-bench: %d CPUs (GOMAXPROCS %d), %s/%s, %d clients, %s per measure\n\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, o.conc, o.dur)

	allOK := true
	if o.only != "signup" {
		pages, err := o.pages()
		if err != nil {
			return false, err
		}
		allOK = allOK && pages
	}
	if o.only != "pages" {
		signups, err := o.signupMeasure()
		if err != nil {
			return false, err
		}
		allOK = allOK && signups
	}

	w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "measure\tresult\tgoal\t")
	fmt.Fprintln(w, "-------\t------\t----\t")
	for _, r := range o.reportLines {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", r.measure, r.result, r.goal, r.verdict)
	}
	w.Flush()
	if allOK {
		fmt.Println("\nevery goal met")
	} else {
		fmt.Println("\nsome goals missed (see FAIL)")
	}
	return allOK || !o.strict, nil
}

func (o *options) add(measure, result, goal string, pass *bool) {
	v := ""
	if pass != nil {
		v = "FAIL"
		if *pass {
			v = "PASS"
		}
	}
	o.reportLines = append(o.reportLines, row{measure, result, goal, v})
}

func ptr(b bool) *bool { return &b }

func randomKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// websignupEnv is the environment of a websignup process under test.
func (o *options) websignupEnv(dir string, extra ...string) []string {
	return append([]string{
		"WEBSIGNUP_ADDR=127.0.0.1:0", "WEBSIGNUP_DATA_DIR=" + dir, "WEBSIGNUP_DEMO=true",
		"WEBSIGNUP_LOG_FORMAT=json", "WEBSIGNUP_LOG_LEVEL=info",
		"WEBSIGNUP_TRUSTED_PROXIES=127.0.0.1",
	}, append(extra, strings.FieldsFunc(o.extraEnv, func(r rune) bool { return r == ',' })...)...)
}

const mb = 1 << 20

// pages measures memory, the floor and the three pages on websignup with
// the in-process simulator.
func (o *options) pages() (bool, error) {
	dir := filepath.Join(o.tmp, "pages")
	ws, err := start("websignup", o.websignup, []string{"serve"}, o.websignupEnv(dir), listeningRE)
	if err != nil {
		return false, err
	}
	defer ws.stop()
	base := "http://" + ws.addr
	ctx := context.Background()
	// One page served (templates, the published form cached), then idle.
	c := newClient(base, true)
	if err := c.startSession(ctx); err != nil {
		return false, fmt.Errorf("warm-up: %w\n%s", err, ws.log.String())
	}
	time.Sleep(time.Second)
	idle, err := ws.rss()
	if err != nil {
		return false, err
	}
	fmt.Printf("memory idle: %s\n", ws.rssDetail())

	// Abandoned sessions: each a prospect who chose a plan and left.
	csrfCookie := ""
	for _, ck := range c.hc.Jar.Cookies(mustURL(base + "/s/demo/")) {
		if ck.Name == "ws_csrf" {
			csrfCookie = ck.Name + "=" + ck.Value
		}
	}
	t0 := time.Now()
	if err := fixedCount(o.conc, o.sessions, func(ctx context.Context) error {
		return postNewSession(ctx, base, c.csrf, csrfCookie)
	}); err != nil {
		return false, fmt.Errorf("abandoned sessions: %w", err)
	}
	sessionsTook := time.Since(t0)
	time.Sleep(time.Second)
	after, err := ws.rss()
	if err != nil {
		return false, err
	}
	fmt.Printf("memory: idle %.1f MB; %d abandoned sessions made in %s (%.0f/s); then %.1f MB\n",
		float64(idle)/mb, o.sessions, sessionsTook.Round(time.Millisecond), float64(o.sessions)/sessionsTook.Seconds(), float64(after)/mb)

	floor, err := start("floor", o.self, []string{"floor-server"}, []string{"WEBSIGNUP_TRUSTED_PROXIES=127.0.0.1"}, listeningRE)
	if err != nil {
		return false, err
	}
	defer floor.stop()
	floorBase := "http://" + floor.addr

	get := func(b, path string) func(int) (func(context.Context) error, error) {
		return func(int) (func(context.Context) error, error) {
			c := newClient(b, false)
			c.quiet = true
			return func(ctx context.Context) error {
				_, err := c.expect(ctx, 200, "", "GET", path, nil)
				return err
			}, nil
		}
	}
	// measure runs one closed loop against server and reads the server's
	// CPU time around it.
	measure := func(name string, server *proc, newOp func(int) (func(context.Context) error, error)) (runResult, error) {
		cpu0, _ := server.cpu()
		r, err := closedLoop(o.conc, o.dur, newOp)
		if err != nil {
			return r, err
		}
		if cpu1, err := server.cpu(); err == nil {
			r.cpu = cpu1 - cpu0
		}
		if r.firstErr != nil {
			fmt.Printf("%s: %d errors, first: %v\n", name, r.errs, r.firstErr)
		}
		fmt.Printf("%-9s %8.0f req/s  p50 %6s  p99 %6s  CPU %6s/req  (%d requests, %d errors)\n", name, r.perSecond(),
			quantile(r.lat, .5).Round(10*time.Microsecond), quantile(r.lat, .99).Round(10*time.Microsecond),
			r.cpuPerRequest().Round(100*time.Nanosecond), r.n, r.errs)
		return r, nil
	}
	// Warm both servers' connections and code paths.
	if _, err := closedLoop(o.conc, time.Second, get(floorBase, "/floor")); err != nil {
		return false, err
	}
	if _, err := closedLoop(o.conc, time.Second, get(base, "/s/demo/")); err != nil {
		return false, err
	}
	// The floor server's CPU per request is a yardstick of this machine's
	// speed for the cost measure (an absolute figure).
	floor1, err := measure("floor", floor, get(floorBase, "/floor"))
	if err != nil {
		return false, err
	}
	welcome, err := measure("welcome", ws, get(base, "/s/demo/"))
	if err != nil {
		return false, err
	}
	step, err := measure("step", ws, func(int) (func(context.Context) error, error) {
		c := newClient(base, true)
		if err := c.startSession(ctx); err != nil {
			return nil, err
		}
		c.quiet = true
		return func(ctx context.Context) error {
			_, err := c.expect(ctx, 200, "", "GET", "/s/demo/address", nil)
			return err
		}, nil
	})
	if err != nil {
		return false, err
	}
	validate, err := measure("validate", ws, func(int) (func(context.Context) error, error) {
		c := newClient(base, true)
		if err := c.startSession(ctx); err != nil {
			return nil, err
		}
		if _, err := c.expect(ctx, 200, "", "GET", "/s/demo/address", nil); err != nil {
			return nil, err
		}
		c.quiet = true // the token stays valid: signed double submit
		return func(ctx context.Context) error {
			c.ip = nextIP()
			_, err := c.expect(ctx, 303, "", "POST", "/s/demo/address", clone(addressForm))
			return err
		}, nil
	})
	if err != nil {
		return false, err
	}
	floor2, err := measure("floor", floor, get(floorBase, "/floor"))
	if err != nil {
		return false, err
	}
	fmt.Println()

	floorRate := (floor1.perSecond() + floor2.perSecond()) / 2
	if n := floor1.n + floor2.n; n > 0 {
		o.floorCPU = (floor1.cpu + floor2.cpu) / time.Duration(n)
	}
	o.add("floor", fmt.Sprintf("%.0f req/s (%.0f before, %.0f after); %s CPU per request", floorRate,
		floor1.perSecond(), floor2.perSecond(), o.floorCPU.Round(100*time.Nanosecond)), "reference", nil)
	ok := true
	for _, m := range []struct {
		name, what string
		r          runResult
		goal       float64
	}{
		{"welcome", "GET /s/demo/", welcome, .5},
		{"step", "GET address", step, .3},
		{"validate", "POST address", validate, .15},
	} {
		ratio := m.r.perSecond() / floorRate
		pass := ratio >= m.goal && m.r.errs == 0
		ok = ok && pass
		what := fmt.Sprintf("%.0f req/s = %.0f%% of floor (%s)", m.r.perSecond(), 100*ratio, m.what)
		if cpu := m.r.cpuPerRequest(); o.floorCPU > 0 && cpu > 0 {
			// Where the ratio comes from: this page's CPU against the floor's.
			what += fmt.Sprintf("; %s CPU = %.1f floor", cpu.Round(100*time.Nanosecond), float64(cpu)/float64(o.floorCPU))
		}
		o.add(m.name, what, fmt.Sprintf("≥ %.0f%% of floor", 100*m.goal), ptr(pass))
	}
	for _, m := range []struct {
		name string
		r    runResult
	}{{"floor", floor1}, {"welcome", welcome}, {"step", step}, {"validate", validate}} {
		p99 := quantile(m.r.lat, .99)
		pass := p99 <= 20*time.Millisecond
		var pp *bool
		if m.name != "floor" {
			pp = ptr(pass)
			ok = ok && pass
		}
		o.add("latency "+m.name, fmt.Sprintf("p50 %s, p99 %s", ms(quantile(m.r.lat, .5)), ms(p99)), "p99 ≤ 20 ms", pp)
	}
	idleOK := idle <= 40*mb
	growth := after - idle
	growthOK := growth <= 30*mb
	ok = ok && idleOK && growthOK
	o.add("memory idle", fmt.Sprintf("%.1f MB RSS", float64(idle)/mb), "≤ 40 MB", ptr(idleOK))
	o.add("memory sessions", fmt.Sprintf("%+.1f MB after %d abandoned sessions", float64(growth)/mb, o.sessions), "≤ +30 MB", ptr(growthOK))
	return ok, nil
}

// fixedCount runs op n times over conc workers and returns the first error.
func fixedCount(conc, n int, op func(context.Context) error) error {
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if err := op(context.Background()); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}

// postNewSession chooses a plan as a new prospect (no session cookie, an
// address of its own): a session that will be abandoned.
func postNewSession(ctx context.Context, base, csrf, csrfCookie string) error {
	form := url.Values{"product": {"1"}, "_csrf": {csrf}}
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/s/demo/", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", csrfCookie)
	req.Header.Set("X-Forwarded-For", nextIP())
	resp, err := transport.RoundTrip(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 303 {
		return fmt.Errorf("POST welcome: status %d", resp.StatusCode)
	}
	return nil
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// signupResult is one signup run's outcome.
type signupResult struct {
	n, failed int64
	rate      float64       // completed signups per second
	cost      time.Duration // websignup's CPU per completed signup
	lat       *latencies
}

// signupMeasure runs o.runs signup runs (signupRun) and judges the median
// run's rate and cost, and the latencies of all runs together: the machine's
// speed drifts between runs, and one run's cost can be a fifth off.
func (o *options) signupMeasure() (bool, error) {
	var runs []signupResult
	lat := newLatencies()
	for i := range o.runs {
		r, err := o.signupRun()
		if err != nil {
			return false, err
		}
		if o.runs > 1 {
			fmt.Printf("signup run %d of %d: %.2f ms per signup, %.1f/s\n", i+1, o.runs,
				float64(r.cost)/float64(time.Millisecond), r.rate)
		}
		runs = append(runs, r)
		for page, ds := range r.lat.by {
			lat.by[page] = append(lat.by[page], ds...)
		}
	}
	// The median rate and the median cost, each over the runs.
	slices.SortFunc(runs, func(a, b signupResult) int { return cmp.Compare(a.rate, b.rate) })
	medRate := runs[len(runs)/2]
	slices.SortFunc(runs, func(a, b signupResult) int { return cmp.Compare(a.cost, b.cost) })
	med := runs[len(runs)/2]
	var failed int64
	for _, r := range runs {
		failed += r.failed
	}
	rateOK := medRate.rate >= 150 && failed == 0
	costOK := med.cost <= 3*time.Millisecond
	ok := rateOK && costOK
	of := ""
	if len(runs) > 1 {
		of = fmt.Sprintf(", median of %d runs: %.2f–%.2f ms", len(runs),
			float64(runs[0].cost)/float64(time.Millisecond), float64(runs[len(runs)-1].cost)/float64(time.Millisecond))
	}
	o.add("signup", fmt.Sprintf("%.1f signups/s (%d completed, %d failed, %d clients)", medRate.rate, medRate.n, failed, o.conc), "≥ 150/s", ptr(rateOK))
	costText := fmt.Sprintf("%.2f ms CPU per signup (websignup only%s)", float64(med.cost)/float64(time.Millisecond), of)
	if o.floorCPU > 0 {
		// Machine-independent: how many of the floor's requests cost
		// as much CPU as one signup.
		costText += fmt.Sprintf(" = %.0f floor requests", float64(med.cost)/float64(o.floorCPU))
	}
	o.add("cost", costText, "≤ 3 ms", ptr(costOK))
	for _, page := range []string{"welcome", "welcome POST", "address", "address POST", "phone", "phone POST",
		"payment", "payment POST", "summary", "signup POST", "done"} {
		ds := lat.by[page]
		p99 := quantile(ds, .99)
		goal, pp := "p99 ≤ 20 ms", ptr(p99 <= 20*time.Millisecond)
		switch page {
		case "phone", "phone POST", "signup POST":
			// These wait for PortaSwitch (the number list, the number's
			// re-check, provisioning): shown, not judged.
			goal, pp = "waits for PortaSwitch", nil
		default:
			ok = ok && *pp
		}
		o.add("latency "+page, fmt.Sprintf("p50 %s, p99 %s (during signups)", ms(quantile(ds, .5)), ms(p99)), goal, pp)
	}
	return ok, nil
}

// signupRun runs complete signups against a fresh websignup with portasim
// as its own process, and measures signups/s, websignup's CPU per signup
// and each page's latency.
func (o *options) signupRun() (signupResult, error) {
	sim, err := start("portasim", o.portasim, []string{"-addr", "127.0.0.1:0"}, nil,
		regexp.MustCompile(`portasim listening on http://([0-9.:]+)`))
	if err != nil {
		return signupResult{}, err
	}
	defer sim.stop()
	simURL := "http://" + sim.addr
	dir := filepath.Join(o.tmp, "signup")
	ws, err := start("websignup", o.websignup, []string{"serve"}, o.websignupEnv(dir,
		"PORTASWITCH_URL="+simURL, "PORTASWITCH_ACCOUNT_URL="+simURL+"/account",
		"PORTASWITCH_LOGIN=admin", "PORTASWITCH_PASSWORD=admin", "WEBSIGNUP_SECRET_KEY="+randomKey()), listeningRE)
	if err != nil {
		return signupResult{}, err
	}
	defer ws.stop()
	base := "http://" + ws.addr
	ctx := context.Background()
	if _, err := newClient(base, true).signup(ctx); err != nil { // warm-up, logs in to PortaSwitch
		return signupResult{}, fmt.Errorf("warm-up signup: %w\n%s", err, ws.log.String())
	}

	lat := newLatencies()
	var started, completed, failed, lastDone atomic.Int64
	var firstErr error
	var errOnce sync.Once
	user0, sys0, err := ws.cpuTimes()
	if err != nil {
		return signupResult{}, err
	}
	simCPU0, _ := sim.cpu()
	t0 := time.Now()
	res, err := closedLoop(o.conc, o.signupDur, func(int) (func(context.Context) error, error) {
		return func(ctx context.Context) error {
			if started.Add(1) > int64(o.signups) {
				return errEnough
			}
			c := newClient(base, true)
			c.lat = lat.add
			if _, err := c.signup(ctx); err != nil {
				if ctx.Err() == nil {
					failed.Add(1)
					errOnce.Do(func() { firstErr = err })
				}
				return err
			}
			completed.Add(1)
			lastDone.Store(time.Now().UnixNano())
			return nil
		}, nil
	})
	if err != nil {
		return signupResult{}, err
	}
	_ = res
	// The run ends when every prospect that started finished, or at the
	// deadline; count to the last completion.
	elapsed := time.Duration(lastDone.Load() - t0.UnixNano())
	user1, sys1, err := ws.cpuTimes()
	if err != nil {
		return signupResult{}, err
	}
	cpu0, cpu1 := user0+sys0, user1+sys1
	simCPU1, _ := sim.cpu()
	n := completed.Load()
	if firstErr != nil {
		fmt.Printf("signup: %d failed, first: %v\n", failed.Load(), firstErr)
	}
	if n == 0 {
		return signupResult{}, fmt.Errorf("no signup completed\n%s", ws.log.String())
	}
	rate := float64(n) / elapsed.Seconds()
	cost := (cpu1 - cpu0) / time.Duration(n)
	fmt.Printf("signup: %d completed in %s = %.1f/s; websignup CPU %s (%s per signup: user %s, system %s), portasim CPU %s\n",
		n, elapsed.Round(time.Millisecond), rate, (cpu1 - cpu0).Round(time.Millisecond), cost.Round(10*time.Microsecond),
		((user1 - user0) / time.Duration(n)).Round(10*time.Microsecond), ((sys1 - sys0) / time.Duration(n)).Round(10*time.Microsecond),
		(simCPU1 - simCPU0).Round(time.Millisecond))

	// Every signup is in the simulator once: one completed charge each.
	charges, err := completedCharges(simURL)
	if err != nil {
		return signupResult{}, err
	}
	if charges != int(n)+1 { // + the warm-up
		fmt.Printf("signup: the simulator has %d completed charges, want %d\n", charges, n+1)
	}

	return signupResult{n: n, failed: failed.Load(), rate: rate, cost: cost, lat: lat}, nil
}

// completedCharges counts the simulator's completed transactions.
func completedCharges(simURL string) (int, error) {
	resp, err := http.Get(simURL + "/sim/state")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var st struct {
		Transactions []struct {
			Status string `json:"status"`
		} `json:"transactions"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return 0, err
	}
	n := 0
	for _, t := range st.Transactions {
		if t.Status == "completed" {
			n++
		}
	}
	return n, nil
}
