package sim

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"websignup/portaswitch"
)

// Realms the simulator serves.
const (
	// RealmAdmin is the API user's realm, at /rest/.
	RealmAdmin = "admin"
	// RealmAccount is the end user's self-care realm, at /account/rest/.
	RealmAccount = "account"
)

// AccountPrefix is the path prefix of the account realm: the account-realm
// base URL is the simulator's base URL + AccountPrefix.
const AccountPrefix = "/account"

const dateTimeLayout = "2006-01-02 15:04:05"

// Options configures a Sim. Zero values take the defaults noted.
type Options struct {
	// Login and Password of the admin-realm API user (default admin/admin).
	Login, Password string
	// APIToken, if set, also lets Login log in with {"login","token"}.
	APIToken string
	// TokenTTL is an access token's lifetime (default 30 minutes).
	TokenTTL time.Duration
	// RefreshTTL is a refresh token's lifetime (default 24 hours).
	RefreshTTL time.Duration
	// StateFile, if set, is loaded at New (when it exists) and rewritten
	// atomically after every change.
	StateFile string
	// Faults are injected from the start (see FaultRule).
	Faults []FaultRule
	// Logger gets one line per call (method, realm, outcome, duration) at
	// Info, plus the redacted params at Debug; nil discards.
	Logger *slog.Logger
	// Now is the clock (default time.Now); tests move it to expire tokens.
	Now func() time.Time
}

// Sim is the simulated PortaSwitch: an http.Handler serving
// {base}/rest/{Service}/{method} (admin realm), {base}/account/rest/...
// (account realm) and the simulator's own /sim/state, /sim/reset and
// /sim/faults. It is safe for concurrent use; every call runs under one lock,
// so calls are serialisable like database transactions.
type Sim struct {
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	db       *db
	sessions map[string]*session // by access token, session id and "r:"+refresh token

	fmu    sync.Mutex
	faults []*FaultRule

	done     chan struct{}
	doneOnce sync.Once
}

type session struct {
	id, access, refresh string
	realm               string
	iAccount            int64 // account realm
	expires             time.Time
	refreshExpires      time.Time
}

// New returns a simulator with the seeded catalogue, or with the state loaded
// from opts.StateFile when that file exists. It returns an error when the
// state file cannot be read or parsed.
func New(opts Options) (*Sim, error) {
	if opts.Login == "" {
		opts.Login = "admin"
	}
	if opts.Password == "" {
		opts.Password = "admin"
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = 30 * time.Minute
	}
	if opts.RefreshTTL <= 0 {
		opts.RefreshTTL = 24 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	lg := opts.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	s := &Sim{opts: opts, log: lg, sessions: map[string]*session{}, done: make(chan struct{})}
	if opts.StateFile != "" {
		d, err := loadFile(opts.StateFile)
		if err != nil {
			return nil, err
		}
		s.db = d
	}
	if s.db == nil {
		s.db = seedState(s.now())
		if err := s.save(); err != nil { // fail at start, not at the first write
			return nil, fmt.Errorf("sim: state file: %w", err)
		}
	}
	if err := s.SetFaults(opts.Faults); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Sim) now() string { return s.opts.Now().UTC().Format(dateTimeLayout) }

// Close ends pending injected delays early. The Sim keeps serving.
func (s *Sim) Close() { s.doneOnce.Do(func() { close(s.done) }) }

// Reset restores the seeded catalogue, drops every session and clears the
// injected faults. With a state file, the file is rewritten.
func (s *Sim) Reset() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.db = seedState(s.now())
	s.sessions = map[string]*session{}
	s.fmu.Lock()
	s.faults = nil
	s.fmu.Unlock()
	return s.save()
}

// State returns a copy of the customers, accounts, numbers, devices and
// transactions, as GET /sim/state shows them.
func (s *Sim) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db.snapshot()
}

// ExpireSessions makes every access token expire now (refresh tokens stay
// valid), as if TokenTTL had passed.
func (s *Sim) ExpireSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := s.opts.Now().Add(-time.Second)
	for _, ss := range s.sessions {
		ss.expires = past
	}
}

func (s *Sim) save() error {
	if s.opts.StateFile == "" {
		return nil
	}
	return saveFile(s.opts.StateFile, s.db)
}

// ServeHTTP routes a request; see the package doc.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if strings.HasPrefix(path, "/sim/") {
		s.serveSim(w, r)
		return
	}
	realm := RealmAdmin
	switch {
	case strings.HasPrefix(path, AccountPrefix+"/rest/"):
		realm, path = RealmAccount, strings.TrimPrefix(path, AccountPrefix)
	case strings.HasPrefix(path, "/admin/rest/"):
		path = strings.TrimPrefix(path, "/admin")
	}
	rest, ok := strings.CutPrefix(path, "/rest/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.serveAPI(w, r, realm, rest)
}

func (s *Sim) serveAPI(w http.ResponseWriter, r *http.Request, realm, name string) {
	start := time.Now()
	outcome := "ok"
	var paramsForLog params
	defer func() {
		attrs := []slog.Attr{
			slog.String("method", name), slog.String("realm", realm),
			slog.String("outcome", outcome), slog.Duration("duration", time.Since(start)),
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "portasim call", attrs...)
		if paramsForLog != nil && s.log.Enabled(r.Context(), slog.LevelDebug) {
			b, _ := json.Marshal(paramsForLog)
			s.log.Debug("portasim params", "method", name, "params", portaswitch.RedactJSON(b))
		}
	}()
	writeFault := func(f *fault) {
		outcome = "fault " + f.Code
		writeJSON(w, http.StatusInternalServerError, f)
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		outcome = "bad http method"
		writeJSON(w, http.StatusMethodNotAllowed, faultf(codeMalformed, "use POST"))
		return
	}
	h, ok := handlers[name]
	if !ok {
		writeFault(faultf(codeUnknownMethod, "unknown method %s", clipName(name)))
		return
	}
	if !h.realms[realm] {
		writeFault(faultf(codeForbidden, "%s is not available in the %s realm", name, realm))
		return
	}
	body, tooBig, err := readLimited(r.Body)
	if err != nil {
		outcome = "read error"
		return
	}
	if tooBig {
		writeFault(faultf(codeMalformed, "body larger than %d bytes", maxBody))
		return
	}
	p, auth, err := parseBody(r.Header.Get("Content-Type"), body)
	if err != nil {
		writeFault(asFault(err))
		return
	}
	paramsForLog = p
	bearer := ""
	if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		bearer = strings.TrimSpace(a[7:])
	}

	rule := s.matchFault(name)
	if rule != nil && rule.Delay.D > 0 {
		t := time.NewTimer(rule.Delay.D)
		select {
		case <-t.C:
		case <-s.done:
			t.Stop()
		}
	}
	if rule != nil && rule.isFault() {
		code, str := rule.FaultCode, rule.FaultString
		if code == "" {
			code = codeInjected
		}
		if str == "" {
			str = "fault injected by the simulator"
		}
		writeFault(&fault{Code: code, String: str})
		return
	}

	res, err := s.dispatch(h, realm, name, p, auth, bearer)
	if rule != nil && rule.Drop {
		outcome = "applied, connection dropped"
		if err != nil {
			outcome = "fault " + asFault(err).Code + ", connection dropped"
		}
		dropConnection(w)
		return
	}
	if err != nil {
		writeFault(asFault(err))
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// dispatch authenticates and runs one handler under the lock.
func (s *Sim) dispatch(h handler, realm, name string, p, auth params, bearer string) (res any, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() {
		if v := recover(); v != nil {
			// A bug must not take the server down or answer an empty 200.
			res, err = nil, faultf("Server.Sim.internal_error", "internal error in %s", name)
		}
	}()
	c := &call{s: s, realm: realm, p: p}
	if !strings.HasPrefix(name, "Session/") {
		if c.sess, err = s.authenticate(realm, auth, bearer); err != nil {
			return nil, err
		}
		if realm == RealmAccount && name != "Account/change_password" {
			if a := s.findAccount(c.sess.iAccount); a != nil && a.PasswordChangeRequired == "Y" {
				return nil, faultf(portaswitch.CodePasswordChangeRequired, "the password must be changed first")
			}
		}
	}
	res, err = h.fn(c)
	if h.write { // even after a fault: a declined charge is recorded

		if serr := s.save(); serr != nil {
			s.log.Error("portasim: saving state failed", "error", serr)
		}
	}
	return res, err
}

// authenticate finds the session of a Bearer token, or of auth_info
// (session_id, access_token, or login+password for one stateless call).
func (s *Sim) authenticate(realm string, auth params, bearer string) (*session, error) {
	key := bearer
	if key == "" && auth != nil {
		if sid, _ := auth.optStr("session_id"); sid != "" {
			key = sid
		} else if at, _ := auth.optStr("access_token"); at != "" {
			key = at
		} else if login, _ := auth.optStr("login"); login != "" {
			pw, _ := auth.optStr("password")
			ss, err := s.checkLogin(realm, login, pw, "")
			if err != nil {
				return nil, err
			}
			return ss, nil
		}
	}
	if key == "" {
		return nil, faultf(portaswitch.CodeSessionExpired, "not logged in")
	}
	ss := s.sessions[key]
	if ss == nil || strings.HasPrefix(key, "r:") {
		return nil, faultf(portaswitch.CodeBadAccessToken, "unknown access token")
	}
	if ss.realm != realm {
		return nil, faultf(portaswitch.CodeBadAccessToken, "token of another realm")
	}
	if !s.opts.Now().Before(ss.expires) {
		return nil, faultf(portaswitch.CodeSessionExpired, "access token expired")
	}
	return ss, nil
}

// checkLogin verifies credentials and returns an unsaved session shape.
func (s *Sim) checkLogin(realm, login, password, token string) (*session, error) {
	bad := faultf(portaswitch.CodeAuthFailed, "wrong login or password")
	switch realm {
	case RealmAdmin:
		okLogin := subtle.ConstantTimeCompare([]byte(login), []byte(s.opts.Login)) == 1
		okPass := password != "" && subtle.ConstantTimeCompare([]byte(password), []byte(s.opts.Password)) == 1
		okTok := token != "" && s.opts.APIToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.opts.APIToken)) == 1
		if !okLogin || !(okPass || okTok) {
			return nil, bad
		}
		return &session{realm: realm}, nil
	case RealmAccount:
		for _, a := range s.db.Accounts {
			if a.BillStatus == "O" && a.Login != "" && a.Login == login {
				if password != "" && checkPassword(s.db.Secrets[accountSecret(a.IAccount)], password) {
					return &session{realm: realm, iAccount: a.IAccount}, nil
				}
				return nil, bad
			}
		}
	}
	return nil, bad
}

func accountSecret(id int64) string { return fmt.Sprintf("account:%d", id) }

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"faultcode":"Server.Sim.internal_error","faultstring":"cannot encode the answer"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// dropConnection closes the connection without an answer, the hardest case
// for a client: the call happened but it cannot know.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // HTTP/2 or a wrapped writer: abort the stream
}

func asFault(err error) *fault {
	var f *fault
	if errors.As(err, &f) {
		return f
	}
	return faultf("Server.Sim.internal_error", "internal error")
}

func clipName(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// serveSim serves the simulator's own endpoints.
func (s *Sim) serveSim(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/sim/state" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.State())
	case r.URL.Path == "/sim/reset" && r.Method == http.MethodPost:
		if err := s.Reset(); err != nil {
			writeJSON(w, http.StatusInternalServerError, faultf("Server.Sim.internal_error", "reset: cannot save state"))
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"success": 1})
	case r.URL.Path == "/sim/faults" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"faults": s.Faults()})
	case r.URL.Path == "/sim/faults" && r.Method == http.MethodPost:
		body, tooBig, err := readLimited(r.Body)
		if err != nil || tooBig {
			writeJSON(w, http.StatusBadRequest, faultf(codeMalformed, "cannot read body"))
			return
		}
		rules, err := ParseFaults(string(body))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, faultf(codeMalformed, "%v", err))
			return
		}
		if err := s.AddFaults(rules...); err != nil {
			writeJSON(w, http.StatusBadRequest, faultf(codeMalformed, "%v", err))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"faults": s.Faults()})
	case r.URL.Path == "/sim/faults" && r.Method == http.MethodDelete:
		s.ClearFaults()
		writeJSON(w, http.StatusOK, map[string]int{"success": 1})
	default:
		http.NotFound(w, r)
	}
}

// Start serves a new Sim on a loopback listener (127.0.0.1, a free port)
// until ctx is done or Close is called. websignup uses it when no PortaSwitch
// address is configured, pointing the real client at Server.URL.
func Start(ctx context.Context, opts Options) (*Server, error) {
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	return serve(ctx, s)
}
