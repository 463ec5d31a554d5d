package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"websignup/forms"
	"websignup/internal/seal"
	"websignup/portaswitch/sim"
	"websignup/provision"
	"websignup/storage"
	"websignup/storage/storagetest"
)

// Scale-out: two websignup processes and one portasim on loopback, one
// PostgreSQL schema. Runs when WEBSIGNUP_TEST_POSTGRES is set.

// portasimBinary builds cmd/portasim next to the websignup binary.
func portasimBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(filepath.Dir(websignupBinary(t)), "portasim")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	if out, err := exec.Command("go", "build", "-o", bin, "../portasim").CombinedOutput(); err != nil {
		t.Fatalf("build portasim: %v\n%s", err, out)
	}
	return bin
}

// prospect is one browser over real HTTP that may send each request to
// any live instance: its cookies are per host, and every instance is
// 127.0.0.1, so they follow it.
type prospect struct {
	c    *http.Client
	ip   string // its own address, through X-Forwarded-For
	csrf string
	// base picks the instance of the next request.
	base func() string
}

var (
	soCSRF   = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	soNumber = regexp.MustCompile(`name="number" value="([0-9]+)"`)
	soToken  = regexp.MustCompile(`name="card_token" value="([^"]+)"`)
	soIP     atomic.Uint32
)

func newProspect(base func() string) *prospect {
	jar, _ := cookiejar.New(nil)
	n := soIP.Add(1)
	return &prospect{base: base, ip: fmt.Sprintf("10.9.%d.%d", byte(n>>8), byte(n)),
		c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (p *prospect) do(method, path string, form url.Values) (int, string, error) {
	var body io.Reader
	if form != nil {
		form.Set("_csrf", p.csrf)
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, p.base()+path, body)
	if err != nil {
		return 0, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("X-Forwarded-For", p.ip)
	resp, err := p.c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if m := soCSRF.FindSubmatch(b); m != nil {
		p.csrf = string(m[1])
	}
	return resp.StatusCode, string(b), err
}

func (p *prospect) expect(want int, method, path string, form url.Values) (string, error) {
	code, body, err := p.do(method, path, form)
	if err == nil && code != want {
		err = fmt.Errorf("%s %s: %d, want %d", method, path, code, want)
	}
	return body, err
}

// toSummary walks welcome → summary and returns the sealed card.
func (p *prospect) toSummary() (string, error) {
	steps := []struct {
		path string
		form url.Values
	}{
		{"/s/demo/", url.Values{"product": {"1"}}},
		{"/s/demo/address", url.Values{"firstname": {"Ada"}, "lastname": {"Lovelace"}, "email": {"ada@example.com"},
			"phone1": {"+1 206 555 0199"}, "baddr1": {"1 Analytical Way"}, "city": {"Seattle"},
			"state": {"WA"}, "zip": {"98101"}, "country": {"US"}}},
	}
	for _, s := range steps {
		if _, err := p.expect(200, "GET", s.path, nil); err != nil {
			return "", err
		}
		if _, err := p.expect(303, "POST", s.path, s.form); err != nil {
			return "", err
		}
	}
	page, err := p.expect(200, "GET", fmt.Sprintf("/s/demo/phone?pool=%d", 1+rand.IntN(2)), nil)
	if err != nil {
		return "", err
	}
	for try := 0; ; try++ {
		ns := soNumber.FindAllStringSubmatch(page, -1)
		if len(ns) == 0 {
			return "", errors.New("no number offered")
		}
		code, body, err := p.do("POST", "/s/demo/phone", url.Values{"number": {ns[rand.IntN(len(ns))][1]}, "device": {"byod"}})
		if err != nil {
			return "", err
		}
		if code == 303 {
			break
		}
		if code != 422 || try == 5 {
			return "", fmt.Errorf("POST phone: %d", code)
		}
		page = body
	}
	if _, err := p.expect(200, "GET", "/s/demo/payment", nil); err != nil {
		return "", err
	}
	if _, err := p.expect(303, "POST", "/s/demo/payment", url.Values{"card_name": {"Ada Lovelace"},
		"card_number": {crashCard}, "card_exp_month": {"12"}, "card_exp_year": {"2035"}, "card_cvv": {crashCVV}}); err != nil {
		return "", err
	}
	page, err = p.expect(200, "GET", "/s/demo/summary", nil)
	if err != nil {
		return "", err
	}
	m := soToken.FindStringSubmatch(page)
	if m == nil {
		return "", errors.New("no card token on the summary")
	}
	return m[1], nil
}

// signUp posts Sign up with the sealed card.
func (p *prospect) signUp(token string) error {
	_, err := p.expect(303, "POST", "/s/demo/signup", url.Values{"card_token": {token}, "accept_terms": {"yes"}})
	return err
}

type scaleEnv struct {
	*crashEnv
	simURL string
}

func newScaleEnv(t *testing.T, dsn string) *scaleEnv {
	t.Helper()
	simBin := portasimBinary(t)
	ps := exec.Command(simBin, "-addr", "127.0.0.1:0")
	logs := &syncBuffer{}
	ps.Stdout, ps.Stderr = logs, logs
	if err := ps.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ps.Process.Kill(); _ = ps.Wait() })
	re := regexp.MustCompile(`portasim listening on (http://[0-9.:]+)`)
	simURL := ""
	for deadline := time.Now().Add(20 * time.Second); simURL == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(logs.String()); m != nil {
			simURL = m[1]
		}
	}
	if simURL == "" {
		t.Fatalf("portasim did not listen:\n%s", logs.String())
	}
	dir := t.TempDir()
	e := &crashEnv{t: t, bin: websignupBinary(t), dsn: dsn, dir: dir}
	e.env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"WEBSIGNUP_DATABASE_URL=" + dsn, "WEBSIGNUP_DATA_DIR=" + dir,
		"WEBSIGNUP_SECRET_KEY=" + hex.EncodeToString(bytes.Repeat([]byte{9}, 32)),
		"PORTASWITCH_URL=" + simURL, "PORTASWITCH_ACCOUNT_URL=" + simURL + sim.AccountPrefix,
		"PORTASWITCH_LOGIN=admin", "PORTASWITCH_PASSWORD=admin",
		"WEBSIGNUP_ADDR=127.0.0.1:0", "WEBSIGNUP_LOG_FORMAT=json", "WEBSIGNUP_LOG_LEVEL=info",
		"WEBSIGNUP_TRUSTED_PROXIES=127.0.0.1",
		// A short lease: a dead instance's jobs are resumed 2 s later.
		"WEBSIGNUP_WORKER_INTERVAL=100ms", "WEBSIGNUP_WORKER_LEASE=2s",
	}
	if out, err := e.command("seed-demo").CombinedOutput(); err != nil {
		t.Fatalf("seed-demo: %v\n%s", err, out)
	}
	return &scaleEnv{crashEnv: e, simURL: simURL}
}

// addFault injects rule into portasim (POST /sim/faults).
func (e *scaleEnv) addFault(t *testing.T, rule sim.FaultRule) {
	t.Helper()
	body, err := json.Marshal(rule)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(e.simURL+"/sim/faults", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Error(err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Errorf("POST /sim/faults: %s", resp.Status)
	}
}

func (e *scaleEnv) simState(t *testing.T) sim.State {
	t.Helper()
	resp, err := http.Get(e.simURL + "/sim/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st sim.State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestScaleOutTwoInstances is issue 7's several-instances test: a prospect
// starts on A and finishes on B; a version published while both run is
// served by B within two seconds; then 200 signups go to both at random
// while A is killed (SIGKILL) half way, and B's worker resumes A's jobs
// after their lease. In the end every job ran exactly once (one customer,
// one account and one charge per completed signup, none for an undone
// one) and no number went to two signups.
func TestScaleOutTwoInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the servers")
	}
	dsn := storagetest.PostgresDSN(t) // skips without WEBSIGNUP_TEST_POSTGRES
	e := newScaleEnv(t, dsn)
	a, b := e.start(), e.start()
	t.Logf("A %s, B %s, portasim %s", a.url, b.url, e.simURL)

	// 1. Start on A, finish on B.
	var step atomic.Int32
	p := newProspect(func() string {
		if step.Add(1) <= 4 { // welcome and address, GET and POST
			return a.url
		}
		return b.url
	})
	tok, err := p.toSummary()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.signUp(tok); err != nil {
		t.Fatal(err)
	}
	done, err := p.expect(200, "GET", "/s/demo/done", nil)
	if err != nil || !strings.Contains(done, `data-testid="done-completed"`) {
		t.Fatalf("the prospect who started on A did not finish on B: %v", err)
	}

	// 2. A version published (as by A's admin, through the store) is
	// served by B within two seconds.
	store := storagetest.Open(t, dsn)
	ctx := context.Background()
	form, err := store.FormBySlug(ctx, forms.DemoSlug)
	if err != nil {
		t.Fatal(err)
	}
	title := func(base string) string {
		resp, err := http.Get(base + "/s/demo/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	if !strings.Contains(title(b.url), "Northwind Telecom") {
		t.Fatal("B does not serve the demo")
	}
	cfg := forms.DemoConfig()
	cfg.Branding.CompanyTitle = "Southwind Telecom"
	if _, err := store.ImportConfig(ctx, form.ID, cfg, "scaleout-test", true); err != nil {
		t.Fatal(err)
	}
	published := time.Now()
	for !strings.Contains(title(b.url), "Southwind Telecom") {
		if time.Since(published) > 2*time.Second {
			t.Fatal("B did not serve the new version within 2 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("B served the new version %s after the publish", time.Since(published).Round(time.Millisecond))

	// 3. 200 signups over both, A killed half way.
	const total, workers = 200, 8
	var (
		aAlive    atomic.Bool
		submitted atomic.Int32 // Sign up posts sent (each may have made a job)
		restarts  atomic.Int32
		lost      atomic.Int32 // Sign up posts whose answer never came (A died)
		killOnce  sync.Once
		wg        sync.WaitGroup
	)
	aAlive.Store(true)
	pick := func() string {
		if aAlive.Load() && rand.IntN(2) == 0 {
			return a.url
		}
		return b.url
	}
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for submitted.Load() < total {
				p := newProspect(pick)
				tok, err := p.toSummary()
				if err != nil {
					if aAlive.Load() {
						t.Errorf("a prospect failed with both instances up: %v", err)
						return
					}
					restarts.Add(1) // broken by A's death: start again
					continue
				}
				n := submitted.Add(1)
				if n > total {
					return
				}
				if n == total/2 {
					// This Sign up goes to A, which dies while it runs:
					// PortaSwitch takes 300 ms over the next
					// charges (as many as there are workers, so this
					// one's is among them; a run may take half the 2 s
					// lease), and A is killed while this one's is under
					// way. Its job is B's worker's to finish once A's
					// lease ends.
					killOnce.Do(func() {
						e.addFault(t, sim.FaultRule{Method: "Customer/make_transaction",
							Delay: sim.Duration{D: 300 * time.Millisecond}, Count: workers})
						p.base = func() string { return a.url }
						errc := make(chan error, 1)
						go func() { errc <- p.signUp(tok) }()
						time.Sleep(150 * time.Millisecond)
						aAlive.Store(false)
						_ = a.cmd.Process.Signal(syscall.SIGKILL)
						if err := <-errc; err == nil {
							t.Error("the Sign up on A finished before A died")
						} else {
							lost.Add(1)
						}
					})
					continue
				}
				if err := p.signUp(tok); err != nil {
					if aAlive.Load() {
						t.Errorf("Sign up failed with both instances up: %v", err)
					}
					lost.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("%d Sign up posts in %s; %d cut off by A's death; %d prospects started again after it",
		total, time.Since(start).Round(time.Millisecond), lost.Load(), restarts.Load())
	if lost.Load() == 0 {
		t.Error("no Sign up was cut off by A's death: the crash tested nothing")
	}

	// Every job settles: B's worker resumes A's after their lease.
	sealer, err := seal.New(bytes.Repeat([]byte{9}, 32), "credentials")
	if err != nil {
		t.Fatal(err)
	}
	js := store.Jobs(sealer)
	var jobs []*provision.Job
	deadline := time.Now().Add(60 * time.Second)
	for {
		page, err := js.ListJobs(ctx, storage.JobFilter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		jobs = page.Jobs
		unsettled := 0
		for _, j := range jobs {
			if !j.Status.Settled() {
				unsettled++
			}
		}
		if unsettled == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d jobs never settled", unsettled, len(jobs))
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Each answered Sign up made a job; one cut off by A's death may
	// have died before its job was written (the prospect may sign up
	// again: their session stays open).
	if min := total + 1 - int(lost.Load()); len(jobs) < min {
		t.Errorf("%d jobs for %d Sign up posts (+1 before, %d cut off)", len(jobs), total, lost.Load())
	}
	byStatus := map[provision.Status]int{}
	for _, j := range jobs {
		byStatus[j.Status]++
		if j.Attempts > 1 || j.Status != provision.StatusCompleted {
			t.Logf("job %d: %s after %d attempts (%s)", j.ID, j.Status, j.Attempts, j.LastError)
		}
		if j.Status != provision.StatusCompleted {
			t.Logf("job %d: %s (%s): %s", j.ID, j.Status, j.Reason, j.LastError)
		}
	}
	t.Logf("jobs: %v", byStatus)
	if byStatus[provision.StatusCompleted] < total-workers {
		t.Errorf("only %d jobs completed", byStatus[provision.StatusCompleted])
	}

	st := e.simState(t)
	checkCrashInvariants(t, js, st)
	// One account per completed job, on its own number; no number twice.
	accounts := map[string]int{}
	for _, acc := range st.Accounts {
		if acc.BillStatus == "O" {
			accounts[acc.ID]++
		}
	}
	numbers := map[string]int64{}
	for _, n := range st.Numbers {
		numbers[n.Number] = n.IAccount
	}
	seen := map[string]bool{}
	for _, j := range jobs {
		if j.Status != provision.StatusCompleted {
			continue
		}
		num := j.Order.Number
		if seen[num] {
			t.Errorf("number %s given to two signups", num)
		}
		seen[num] = true
		if accounts[num] != 1 {
			t.Errorf("job %d: %d open accounts for %s", j.ID, accounts[num], num)
		}
		if numbers[num] == 0 || numbers[num] != j.IAccount {
			t.Errorf("job %d: number %s is on account %d, want %d", j.ID, num, numbers[num], j.IAccount)
		}
	}
	b.stop(t)
}

// TestDrainOnSIGTERM sends SIGTERM while a Sign up is in flight (PortaSwitch
// takes 1.5 s to charge): the server stops taking connections but finishes
// the request, which ends in the done page's redirect with its job
// completed, and exits cleanly.
func TestDrainOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	e := newCrashEnv(t, storagetest.SQLiteDSN(t))
	// A Sign up may run for half the lease: longer than the slow charge.
	p := e.start("WEBSIGNUP_WORKER_LEASE=10s")
	v := newVisitor(t, p.url)
	tok := v.toSummary(e.freeNumber(map[string]bool{}))
	if err := e.sim.Sim.AddFaults(sim.FaultRule{Method: "Customer/make_transaction", Delay: sim.Duration{D: 1500 * time.Millisecond}, Count: 1}); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		resp *http.Response
		err  error
	}
	ans := make(chan answer, 1)
	go func() {
		resp, err := v.post("/s/demo/signup", url.Values{"card_token": {tok}, "accept_terms": {"yes"}})
		ans <- answer{resp, err}
	}()
	time.Sleep(500 * time.Millisecond) // the charge is under way
	sent := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	a := <-ans
	if a.err != nil || a.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("Sign up in flight at SIGTERM: %v %v\n%s", a.resp, a.err, p.logs.String())
	}
	if time.Since(sent) < 500*time.Millisecond {
		t.Errorf("the answer came %s after SIGTERM: the charge was not under way", time.Since(sent))
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("serve exited with %v after SIGTERM\n%s", err, p.logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not exit after SIGTERM")
	}
	if _, err := http.Get(p.url + "/healthz"); err == nil {
		t.Error("the server still answers after it exited")
	}
	page, err := e.jobStore().ListJobs(context.Background(), storage.JobFilter{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Jobs) != 1 || page.Jobs[0].Status != provision.StatusCompleted {
		for _, j := range page.Jobs {
			t.Logf("job %d %s %s", j.ID, j.Status, j.LastError)
		}
		t.Fatalf("jobs after the drain: want one completed\n%s", p.logs.String())
	}
	if n := len(e.sim.Sim.State().Transactions); n != 1 {
		t.Errorf("%d transactions, want one charge", n)
	}
}
