package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// proc is a server the bench started: websignup, portasim or the floor.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  *lockedBuffer
	addr string // host:port it listens on
	done chan struct{}
}

// lockedBuffer collects a process's output for the address and for the
// report of a failure.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Keep the head and the last 64 KiB: a long run logs a line per request.
	if l.b.Len() > 1<<20 {
		tail := append([]byte(nil), l.b.Bytes()[l.b.Len()-64<<10:]...)
		l.b.Reset()
		l.b.Write(tail)
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// start runs bin with args and env (added to a minimal environment) and
// waits until addrRE finds its listening address in its output.
func start(name, bin string, args, env []string, addrRE *regexp.Regexp) (*proc, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()}, env...)
	if v := os.Getenv("GOMAXPROCS"); v != "" {
		cmd.Env = append(cmd.Env, "GOMAXPROCS="+v)
	}
	p := &proc{name: name, cmd: cmd, log: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() { _ = cmd.Wait(); close(p.done) }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := addrRE.FindStringSubmatch(p.log.String()); m != nil {
			p.addr = m[1]
			return p, nil
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("%s exited before listening:\n%s", name, p.log.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	p.stop()
	return nil, fmt.Errorf("%s did not listen within 30s:\n%s", name, p.log.String())
}

// stop ends the process with SIGTERM, then SIGKILL after 10 s.
func (p *proc) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's times: 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// cpu returns the process's user + system CPU time so far.
func (p *proc) cpu() (time.Duration, error) {
	user, sys, err := p.cpuTimes()
	return user + sys, err
}

// cpuTimes returns the process's CPU time in user and in system (kernel)
// mode: its syscalls, fsync included, count as system time.
func (p *proc) cpuTimes() (user, sys time.Duration, err error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p.cmd.Process.Pid), "stat"))
	if err != nil {
		return 0, 0, err
	}
	// Fields after the command name, which is in parentheses and may
	// contain spaces: state is field 3, utime 14 and stime 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, errors.New("malformed /proc stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, 0, errors.New("malformed /proc stat")
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut) * time.Second / clockTicks, time.Duration(st) * time.Second / clockTicks, nil
}

// rss returns the process's resident memory in bytes.
func (p *proc) rss() (int64, error) {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(p.cmd.Process.Pid), "status"))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS")
}

// rssDetail reports the resident memory's parts: anonymous (the heap, the
// stacks, SQLite's cache) and file-backed (the executable's pages).
func (p *proc) rssDetail() string {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p.cmd.Process.Pid), "status"))
	if err != nil {
		return err.Error()
	}
	var parts []string
	for _, line := range strings.Split(string(b), "\n") {
		for _, k := range []string{"VmRSS:", "RssAnon:", "RssFile:"} {
			if v, ok := strings.CutPrefix(line, k); ok {
				parts = append(parts, k+" "+strings.TrimSpace(v))
			}
		}
	}
	return strings.Join(parts, ", ")
}
