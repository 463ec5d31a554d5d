package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"websignup/storage"
	"websignup/storage/storagetest"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunMigrate(t *testing.T) {
	for name, mk := range storagetest.DSNs() {
		t.Run(name, func(t *testing.T) {
			env := envOf(map[string]string{"WEBSIGNUP_DATABASE_URL": mk(t), "WEBSIGNUP_DATA_DIR": t.TempDir()})
			var out, logs bytes.Buffer
			if err := Run(t.Context(), []string{"migrate"}, env, &out, &logs); err != nil {
				t.Fatalf("migrate: %v\n%s", err, logs.String())
			}
			if want := fmt.Sprintf("schema version %d (", storage.LatestSchemaVersion()); !strings.Contains(out.String(), want) || strings.Contains(out.String(), "(0 migration(s)") {
				t.Errorf("first migrate said %q", out.String())
			}
			out.Reset()
			if err := Run(t.Context(), []string{"migrate"}, env, &out, &logs); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "(0 migration(s) applied)") {
				t.Errorf("second migrate said %q", out.String())
			}
			if strings.Contains(out.String()+logs.String(), ":pw@") {
				t.Error("a database password reached the output")
			}
		})
	}
}

func TestRunSeedDemo(t *testing.T) {
	dir := t.TempDir()
	env := envOf(map[string]string{"WEBSIGNUP_DATA_DIR": dir})
	for _, want := range []string{"demo form created", "demo form exists already"} {
		var out, logs bytes.Buffer
		if err := Run(t.Context(), []string{"seed-demo"}, env, &out, &logs); err != nil {
			t.Fatalf("seed-demo: %v\n%s", err, logs.String())
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("seed-demo said %q, want %q", out.String(), want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "websignup.db")); err != nil {
		t.Errorf("the database is not in the data folder: %v", err)
	}
}

func TestRunCommands(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := Run(t.Context(), []string{"help"}, envOf(nil), &out, &errOut); err != nil || !strings.Contains(out.String(), "seed-demo") {
		t.Errorf("help: %v, %q", err, out.String())
	}
	if err := Run(t.Context(), []string{"frobnicate"}, envOf(nil), &out, &errOut); err == nil || !strings.Contains(err.Error(), `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %v", err)
	}
	if err := Run(t.Context(), []string{"serve", "-h"}, envOf(nil), &out, &errOut); err != nil {
		t.Errorf("serve -h: %v", err)
	}
	err := Run(t.Context(), nil, envOf(map[string]string{"WEBSIGNUP_ADDR": "nope"}), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "WEBSIGNUP_ADDR") {
		t.Errorf("bad config: %v", err)
	}
}

// TestServe runs the real server on a free port with the demo form and the
// in-process simulator, and stops it by cancelling the context.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	var logs syncBuffer
	env := envOf(map[string]string{"WEBSIGNUP_DATA_DIR": dir, "WEBSIGNUP_LOG_FORMAT": "json"})
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0"}, env, io.Discard, &logs,
			hooks{listening: func(a net.Addr) { addrs <- a }})
	}()
	var base string
	select {
	case a := <-addrs:
		base = "http://" + a.String()
	case err := <-done:
		t.Fatalf("serve ended early: %v\n%s", err, logs.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not start\n%s", logs.String())
	}

	tests := []struct {
		path         string
		wantStatus   int
		wantContains string
	}{
		{"/healthz", http.StatusOK, `"ok"`},
		{"/readyz", http.StatusOK, `"ready"`},
		{"/s/demo/", http.StatusOK, "Northwind Telecom"},
		{"/s/nobody-here/", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		res, err := http.Get(base + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.wantStatus || !strings.Contains(string(body), tt.wantContains) {
			t.Errorf("GET %s = %d, want %d containing %q", tt.path, res.StatusCode, tt.wantStatus, tt.wantContains)
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
	key, err := os.ReadFile(filepath.Join(dir, "secret.key"))
	if err != nil || len(strings.TrimSpace(string(key))) != 64 {
		t.Errorf("development key not kept in the data folder: %q, %v", key, err)
	}
	for _, want := range []string{`"msg":"listening"`, "in-process PortaSwitch simulator", "generated a development key", `"msg":"stopped"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

// A second start reuses the kept development key rather than replacing it.
func TestDevSecretKeyIsKept(t *testing.T) {
	dir := t.TempDir()
	var logs bytes.Buffer
	k1, err := devSecretKey(dir, newLogger(DefaultConfig(), &logs))
	if err != nil {
		t.Fatal(err)
	}
	k2, err := devSecretKey(dir, newLogger(DefaultConfig(), &logs))
	if err != nil || !bytes.Equal(k1, k2) || len(k1) != SecretKeySize {
		t.Fatalf("keys %x, %x, %v", k1, k2, err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "secret.key")); fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v", fi.Mode().Perm())
	}
}
