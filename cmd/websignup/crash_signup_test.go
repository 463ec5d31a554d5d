package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"websignup/internal/seal"
	"websignup/portaswitch/sim"
	"websignup/provision"
	"websignup/storage"
	"websignup/storage/storagetest"
)

// The card and security code every subprocess signup uses; the leak check
// looks for them in the database files and the logs.
const (
	crashCard = "4242424242424242"
	crashCVV  = "987"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// websignupBinary builds this command once per test run into a temporary
// folder.
func websignupBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "websignup-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "websignup")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// proc is one websignup serve subprocess.
type proc struct {
	cmd  *exec.Cmd
	logs *syncBuffer
	url  string
	done chan error
}

// crashEnv is a database, a simulator in the test process, and the
// environment every subprocess shares.
type crashEnv struct {
	t    *testing.T
	bin  string
	dsn  string
	dir  string
	sim  *sim.Server
	env  []string
	logs []*syncBuffer
}

func newCrashEnv(t *testing.T, dsn string) *crashEnv {
	t.Helper()
	srv, err := sim.Start(t.Context(), sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	dir := t.TempDir()
	e := &crashEnv{t: t, bin: websignupBinary(t), dsn: dsn, dir: dir, sim: srv}
	e.env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"WEBSIGNUP_DATABASE_URL=" + dsn, "WEBSIGNUP_DATA_DIR=" + dir,
		"WEBSIGNUP_SECRET_KEY=" + hex.EncodeToString(bytes.Repeat([]byte{9}, 32)),
		"PORTASWITCH_URL=" + srv.URL, "PORTASWITCH_ACCOUNT_URL=" + srv.AccountURL,
		"PORTASWITCH_LOGIN=admin", "PORTASWITCH_PASSWORD=admin",
		"WEBSIGNUP_ADDR=127.0.0.1:0", "WEBSIGNUP_LOG_FORMAT=json", "WEBSIGNUP_LOG_LEVEL=debug",
		"WEBSIGNUP_WORKER_INTERVAL=50ms", "WEBSIGNUP_WORKER_LEASE=1500ms",
		// Every visitor is 127.0.0.1 and the server restarts a dozen
		// times: counters kept in PostgreSQL (the default there) would
		// outlive the restarts and refuse the 31st step post in a minute.
		"WEBSIGNUP_RATE_LIMIT_STORE=memory",
	}
	out, err := e.command("seed-demo").CombinedOutput()
	if err != nil {
		t.Fatalf("seed-demo: %v\n%s", err, out)
	}
	return e
}

func (e *crashEnv) command(args ...string) *exec.Cmd {
	cmd := exec.Command(e.bin, args...)
	cmd.Env = e.env
	return cmd
}

// start runs serve with extra environment and waits until it listens.
func (e *crashEnv) start(extra ...string) *proc {
	e.t.Helper()
	cmd := e.command("serve")
	cmd.Env = append(append([]string(nil), e.env...), extra...)
	logs := &syncBuffer{}
	e.logs = append(e.logs, logs)
	cmd.Stderr = logs
	cmd.Stdout = logs
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	p := &proc{cmd: cmd, logs: logs, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	e.t.Cleanup(func() { _ = cmd.Process.Kill() })
	addrRE := regexp.MustCompile(`"msg":"listening","addr":"([^"]+)"`)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := addrRE.FindStringSubmatch(logs.String()); m != nil {
			p.url = "http://" + m[1]
			return p
		}
		select {
		case err := <-p.done:
			e.t.Fatalf("serve exited before listening: %v\n%s", err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	e.t.Fatalf("serve did not listen:\n%s", logs.String())
	return nil
}

// stop ends a process gracefully.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		t.Fatal("serve did not stop on SIGTERM")
	}
}

// visitor is a browser over real HTTP.
type visitor struct {
	t    *testing.T
	c    *http.Client
	base string
	csrf string
}

func newVisitor(t *testing.T, base string) *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (v *visitor) get(path string) (*http.Response, *goquery.Document) {
	v.t.Helper()
	resp, err := v.c.Get(v.base + path)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		v.t.Fatal(err)
	}
	if tok, ok := doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok {
		v.csrf = tok
	}
	return resp, doc
}

func (v *visitor) post(path string, form url.Values) (*http.Response, error) {
	form.Set("_csrf", v.csrf)
	resp, err := v.c.PostForm(v.base+path, form)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp, nil
}

// toSummary walks the wizard to the summary and returns the sealed card.
func (v *visitor) toSummary(number string) string {
	v.t.Helper()
	steps := []struct {
		path string
		form url.Values
	}{
		{"/s/demo/", url.Values{"product": {"1"}}},
		{"/s/demo/address", url.Values{"firstname": {"Ada"}, "lastname": {"Lovelace"}, "email": {"ada@example.com"},
			"phone1": {"+1 206 555 0199"}, "baddr1": {"1 Analytical Way"}, "city": {"Seattle"},
			"state": {"WA"}, "zip": {"98101"}, "country": {"US"}}},
		{"/s/demo/phone", url.Values{"number": {number}, "device": {"byod"}}},
		{"/s/demo/payment", url.Values{"card_name": {"Ada Lovelace"}, "card_number": {crashCard},
			"card_exp_month": {"12"}, "card_exp_year": {"2030"}, "card_cvv": {crashCVV}}},
	}
	for _, s := range steps {
		v.get(s.path)
		resp, err := v.post(s.path, s.form)
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			v.t.Fatalf("POST %s: %v %v", s.path, resp, err)
		}
	}
	_, doc := v.get("/s/demo/summary")
	tok, _ := doc.Find(`[data-testid="card-token"]`).Attr("value")
	if tok == "" {
		v.t.Fatal("summary without a card token")
	}
	return tok
}

func (e *crashEnv) freeNumber(skip map[string]bool) string {
	for _, n := range e.sim.Sim.State().Numbers {
		if n.IDVBatch == 1 && n.ICustomer == 0 && n.IAccount == 0 && n.Frozen != "Y" && !skip[n.Number] {
			skip[n.Number] = true
			return n.Number
		}
	}
	e.t.Fatal("no free number")
	return ""
}

// jobStore opens the subprocesses' database from the test.
func (e *crashEnv) jobStore() *storage.JobStore {
	s, err := storage.Open(context.Background(), e.dsn, slog.New(slog.DiscardHandler))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = s.Close() })
	sealer, err := seal.New(bytes.Repeat([]byte{9}, 32), "credentials")
	if err != nil {
		e.t.Fatal(err)
	}
	return s.Jobs(sealer)
}

// TestCrashAtEveryStepRecovers kills the server (an immediate exit, as
// SIGKILL leaves it) at each provisioning step, before and after the step's
// PortaSwitch call, during a real Sign up; starts it again against the same
// database and simulator; and checks that every job settles with the
// invariants: completed with exactly one charge, undone with none, or
// needs_review with no second charge. Then no card number or CVV may be in
// the database files or any process's log.
func TestCrashAtEveryStepRecovers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	dsns := storagetest.DSNs()
	for _, name := range []string{"sqlite", "postgres"} {
		mk, ok := dsns[name]
		if !ok {
			continue
		}
		t.Run(name, func(t *testing.T) {
			e := newCrashEnv(t, mk(t))
			js := e.jobStore()
			used := map[string]bool{}
			var points []string
			for _, s := range provision.Steps {
				if s == provision.StepDevice {
					continue // BYOD signups order no device
				}
				points = append(points, s, "after:"+s)
			}
			for _, at := range points {
				p := e.start("WEBSIGNUP_TEST_HOOKS=1", "WEBSIGNUP_TEST_CRASH_AT="+at)
				v := newVisitor(t, p.url)
				tok := v.toSummary(e.freeNumber(used))
				_, err := v.post("/s/demo/signup", url.Values{"card_token": {tok}, "accept_terms": {"yes"}})
				if err == nil {
					t.Errorf("crash at %s: Sign up answered; the process should have died", at)
				}
				select {
				case werr := <-p.done:
					var ee *exec.ExitError
					if !errors.As(werr, &ee) || ee.ExitCode() != 137 {
						t.Fatalf("crash at %s: exit %v, want 137\n%s", at, werr, p.logs.String())
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("crash at %s: the process did not exit", at)
				}
				// Restart against the same database and simulator; the
				// worker resumes the job once the dead process's lease ends.
				r := e.start()
				job := waitSettled(t, js, at)
				r.stop(t)
				t.Logf("crash at %-28s → %s %s", at, job.Status, job.LastError)
				switch at {
				case provision.StepCustomer, "after:" + provision.StepCustomer, provision.StepPaymentMethod, "after:" + provision.StepPaymentMethod:
					if job.Status != provision.StatusCardNeeded {
						t.Errorf("crash at %s: %s, want card_needed (the card is gone)", at, job.Status)
					}
				case provision.StepCharge:
					// The call may have been made: never charge again.
					if job.Status != provision.StatusNeedsReview && job.Status != provision.StatusCompleted {
						t.Errorf("crash at %s: %s", at, job.Status)
					}
				default:
					if job.Status != provision.StatusCompleted {
						t.Errorf("crash at %s: %s, want completed", at, job.Status)
					}
				}
			}
			checkCrashInvariants(t, js, e.sim.Sim.State())
			e.checkNoCardLeak(t)
		})
	}
}

// waitSettled waits for the newest job to settle.
func waitSettled(t *testing.T, js *storage.JobStore, at string) *provision.Job {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		page, err := js.ListJobs(context.Background(), storage.JobFilter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Jobs) == 1 && page.Jobs[0].Status.Settled() {
			return page.Jobs[0]
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("crash at %s: the job did not settle after the restart", at)
	return nil
}

func checkCrashInvariants(t *testing.T, js *storage.JobStore, st sim.State) {
	t.Helper()
	page, err := js.ListJobs(context.Background(), storage.JobFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range page.Jobs {
		charges, open := 0, false
		for _, tr := range st.Transactions {
			if tr.InternalComment == j.Reference && tr.Status == "completed" {
				charges++
			}
		}
		for _, c := range st.Customers {
			if c.Name == j.CustomerName() && c.BillStatus == "O" {
				open = true
			}
		}
		switch j.Status {
		case provision.StatusCompleted:
			if charges != 1 || !open {
				t.Errorf("job %d completed with %d charges, customer open %v", j.ID, charges, open)
			}
		case provision.StatusNeedsReview:
			if charges > 1 {
				t.Errorf("job %d needs review with %d charges", j.ID, charges)
			}
		default:
			if charges != 0 || open {
				t.Errorf("job %d %s with %d charges, customer open %v", j.ID, j.Status, charges, open)
			}
		}
	}
}

// checkNoCardLeak looks for the card number and the CVV in every database
// file (SQLite's main file, -wal and -shm) and every process's log.
func (e *crashEnv) checkNoCardLeak(t *testing.T) {
	t.Helper()
	cvv := regexp.MustCompile(`(?i)(cvv|cvc|security)\W{0,6}` + crashCVV)
	check := func(what string, b []byte) {
		spaced := crashCard[:4] + " " + crashCard[4:8] + " " + crashCard[8:12] + " " + crashCard[12:]
		if bytes.Contains(b, []byte(crashCard)) || bytes.Contains(b, []byte(spaced)) || cvv.Match(b) {
			t.Errorf("the card number or CVV is in %s", what)
		}
	}
	if !strings.Contains(e.dsn, "://") {
		files, _ := filepath.Glob(e.dsn + "*")
		if len(files) == 0 {
			t.Errorf("no database files at %s", e.dsn)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			check(f, b)
		}
	}
	for i, l := range e.logs {
		check(fmt.Sprintf("the log of process %d", i), []byte(l.String()))
	}
	// The logs did see the signups: the check looked at something.
	all := ""
	for _, l := range e.logs {
		all += l.String()
	}
	if !strings.Contains(all, "provision") {
		t.Error("the logs say nothing about provisioning")
	}
	var st bytes.Buffer
	_ = json.NewEncoder(&st).Encode(e.sim.Sim.State())
	check("the simulator's state", st.Bytes())
}
