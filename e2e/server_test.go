package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binDir holds the websignup binary built for this test run; TestMain
// removes it.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "websignup-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildOnce sync.Once
	buildBin  string
	buildErr  error
)

// websignupBinary builds ./cmd/websignup once per test run (the Go build
// cache makes a rebuild cheap) and returns its path. WEBSIGNUP_E2E_BINARY
// names a binary built beforehand instead.
func websignupBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if bin := os.Getenv("WEBSIGNUP_E2E_BINARY"); bin != "" {
			buildBin, buildErr = filepath.Abs(bin)
			return
		}
		root, err := repoRoot()
		if err != nil {
			buildErr = err
			return
		}
		bin := filepath.Join(binDir, "websignup")
		cmd := exec.Command("go", "build", "-o", bin, "./cmd/websignup")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./cmd/websignup: %w\n%s", err, out)
			return
		}
		buildBin = bin
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

// repoRoot is the folder holding go.mod, found by walking up from the
// working directory (the package folder under go test).
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// server is a websignup process serving the demo form.
type server struct {
	// URL is the base URL, e.g. http://127.0.0.1:41234, without a slash.
	URL string
	// DataDir is the process's data folder (SQLite file, simulator state).
	DataDir string
	// SimURL is the in-process PortaSwitch simulator's base URL (its
	// /sim/faults endpoint injects failures).
	SimURL string

	cmd  *exec.Cmd
	logs *syncBuffer
	done chan error
}

// serverOptions adjust the server a test starts.
type serverOptions struct {
	// Env is added to the process's environment (NAME=value).
	Env []string
	// DataDir is the data folder; empty means a fresh t.TempDir().
	DataDir string
}

// startServer runs `websignup serve --demo` on a free port with a fresh
// data folder (so a fresh SQLite database and simulator), waits for
// /readyz, and stops the process when the test ends. On failure the test's
// output gets the server's log.
func startServer(t *testing.T, opts serverOptions) *server {
	t.Helper()
	bin := websignupBinary(t)
	dataDir := opts.DataDir
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	cmd := exec.Command(bin, "serve", "--demo")
	cmd.Env = append(cleanEnv(),
		"WEBSIGNUP_ADDR=127.0.0.1:0",
		"WEBSIGNUP_DATA_DIR="+dataDir,
		"WEBSIGNUP_LOG_FORMAT=json",
	)
	cmd.Env = append(cmd.Env, opts.Env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	s := &server{DataDir: dataDir, cmd: cmd, logs: &syncBuffer{}, done: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start websignup: %v", err)
	}
	addr, simURL := make(chan string, 1), make(chan string, 1)
	go s.readLog(stderr, addr, simURL)
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		s.stop(t)
		if t.Failed() {
			t.Logf("websignup log:\n%s", s.logs.String())
		}
	})

	select {
	case a := <-addr:
		s.URL = "http://" + a
		select {
		case s.SimURL = <-simURL: // logged before "listening"
		default:
		}
	case err := <-s.done:
		s.done <- err
		t.Fatalf("websignup exited before listening (%v); log:\n%s", err, s.logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("websignup did not listen within 30s; log:\n%s", s.logs.String())
	}
	s.waitReady(t)
	return s
}

// cleanEnv is this process's environment without websignup's and
// PortaSwitch's variables, so a developer's settings (a PostgreSQL URL, a
// real PortaSwitch) never reach the server under test.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "WEBSIGNUP_") || strings.HasPrefix(kv, "PORTASWITCH_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// readLog copies the server's log into s.logs, and sends the address of
// its "listening" line to addr and the simulator's URL to simURL.
func (s *server) readLog(r io.Reader, addr, simURL chan<- string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	sent := false
	for sc.Scan() {
		line := sc.Bytes()
		s.logs.Write(line)
		s.logs.Write([]byte{'\n'})
		if sent {
			continue
		}
		var rec struct {
			Msg       string `json:"msg"`
			Addr      string `json:"addr"`
			URL       string `json:"url"`
			Component string `json:"component"`
		}
		if json.Unmarshal(line, &rec) != nil {
			continue
		}
		switch {
		case rec.Msg == "listening" && rec.Addr != "":
			addr <- rec.Addr
			sent = true
		case strings.Contains(rec.Msg, "simulator") && strings.HasPrefix(rec.URL, "http://"):
			select {
			case simURL <- rec.URL:
			default:
			}
		}
	}
	_, _ = io.Copy(io.Discard, r)
}

// waitReady polls /readyz until it answers 200.
func (s *server) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s/readyz not ready within 20s (last: %s)", s.URL, last)
}

// stop ends the server with SIGTERM (a graceful shutdown), and kills it if
// it has not exited within 10 seconds.
func (s *server) stop(t *testing.T) {
	if s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.done <- err
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Errorf("websignup: %v", err)
		}
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		s.done <- <-s.done
		t.Errorf("websignup did not stop within 10s of SIGTERM")
	}
}

// Log returns what the server has logged so far.
func (s *server) Log() string { return s.logs.String() }

// syncBuffer is a bytes.Buffer safe for one writer and other readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runCommand runs another websignup command (e.g. "user", "add", ...)
// against dataDir and returns its standard output; the test fails if it
// exits non-zero.
func runCommand(t *testing.T, ctx context.Context, dataDir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, websignupBinary(t), args...)
	cmd.Env = append(cleanEnv(), "WEBSIGNUP_DATA_DIR="+dataDir)
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("websignup %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// injectFaults adds fault rules (portaswitch/sim's FaultRule JSON) to the
// server's in-process simulator.
func (s *server) injectFaults(t *testing.T, rules string) {
	t.Helper()
	if s.SimURL == "" {
		t.Fatalf("the simulator's URL is not in the server log")
	}
	resp, err := http.Post(s.SimURL+"/sim/faults", "application/json", strings.NewReader(rules))
	if err != nil {
		t.Fatalf("inject faults: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("inject faults: %s: %s", resp.Status, body)
	}
}
