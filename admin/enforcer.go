package admin

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/util"

	"websignup/storage"
)

// Objects and actions of the admin area's permissions, as route guards
// name them: require(ObjForms, ActWrite).
const (
	ObjForms       = "forms"
	ObjSubmissions = "submissions"
	ObjUsers       = "users"
	ObjTenants     = "tenants"
	ObjAudit       = "audit"

	ActRead  = "read"
	ActWrite = "write"
)

// casbinModel is RBAC with domains (tenants). A user (subject "user:ID")
// holds one role in one domain: "tenant:ID" for an admin or viewer, "*" for
// an operator. The role assignment's domain is matched with keyMatch, so an
// operator's "*" holds in every tenant while an admin's "tenant:3" holds in
// tenant 3 only. Role policies are granted in every domain ("*"); the
// operator's grant covers every object and action.
const casbinModel = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && keyMatch(r.dom, p.dom) && keyMatch(r.obj, p.obj) && keyMatch(r.act, p.act)
`

// Policies are the role policies ("p" rules): what each role may do. They
// are defined here and written to casbin_rules at start (SyncPolicies), so
// every instance converges on the ones its code knows.
var Policies = [][]string{
	{string(storage.RoleOperator), storage.AnyDomain, "*", "*"},

	{string(storage.RoleAdmin), storage.AnyDomain, ObjForms, ActRead},
	{string(storage.RoleAdmin), storage.AnyDomain, ObjForms, ActWrite},
	{string(storage.RoleAdmin), storage.AnyDomain, ObjSubmissions, ActRead},
	{string(storage.RoleAdmin), storage.AnyDomain, ObjSubmissions, ActWrite},
	{string(storage.RoleAdmin), storage.AnyDomain, ObjUsers, ActRead},
	{string(storage.RoleAdmin), storage.AnyDomain, ObjUsers, ActWrite},
	{string(storage.RoleAdmin), storage.AnyDomain, ObjAudit, ActRead},

	{string(storage.RoleViewer), storage.AnyDomain, ObjForms, ActRead},
	{string(storage.RoleViewer), storage.AnyDomain, ObjSubmissions, ActRead},
}

// DefaultPolicyCheckInterval is how often an Enforcer asks the database
// whether the policies changed (one single-row read).
const DefaultPolicyCheckInterval = 5 * time.Second

// Enforcer decides admin permissions with Casbin over the policies in the
// database, and reloads them when another instance (or this one) changed
// them: it compares the store's policy version with the one it loaded, at
// most every check interval. It is safe for concurrent use.
type Enforcer struct {
	e        *casbin.SyncedEnforcer
	store    *storage.Store
	now      func() time.Time
	interval time.Duration

	mu      sync.Mutex
	loaded  int64     // the policy version in memory
	checked time.Time // when the version was last compared
}

// NewEnforcer writes Policies to the database, loads every rule through
// the Casbin GORM adapter and returns the enforcer. now may be nil
// (time.Now); interval <= 0 means DefaultPolicyCheckInterval. It returns
// the database's or Casbin's error.
func NewEnforcer(ctx context.Context, store *storage.Store, now func() time.Time, interval time.Duration) (*Enforcer, error) {
	if now == nil {
		now = time.Now
	}
	if interval <= 0 {
		interval = DefaultPolicyCheckInterval
	}
	if _, err := store.SyncPolicies(ctx, Policies); err != nil {
		return nil, fmt.Errorf("write role policies: %w", err)
	}
	m, err := model.NewModelFromString(casbinModel)
	if err != nil {
		return nil, fmt.Errorf("casbin model: %w", err)
	}
	a, err := store.CasbinAdapter()
	if err != nil {
		return nil, fmt.Errorf("casbin adapter: %w", err)
	}
	e, err := casbin.NewSyncedEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("casbin enforcer: %w", err)
	}
	e.SetAdapter(a)
	// The store writes role assignments in its own transactions (with the
	// user and the audit entry); the enforcer only reads.
	e.EnableAutoSave(false)
	e.AddNamedDomainMatchingFunc("g", "keyMatch", util.KeyMatch)
	en := &Enforcer{e: e, store: store, now: now, interval: interval}
	if err := en.Reload(ctx); err != nil {
		return nil, err
	}
	return en, nil
}

// Reload loads the policies from the database now.
func (en *Enforcer) Reload(ctx context.Context) error {
	en.mu.Lock()
	defer en.mu.Unlock()
	return en.reloadLocked(ctx)
}

func (en *Enforcer) reloadLocked(ctx context.Context) error {
	// The version is read before the rules: a change in between makes the
	// next check reload again rather than be missed.
	v, err := en.store.PolicyVersion(ctx)
	if err != nil {
		return err
	}
	if err := en.e.LoadPolicy(); err != nil {
		return fmt.Errorf("load policies: %w", err)
	}
	en.loaded, en.checked = v, en.now()
	return nil
}

// refresh reloads the policies when the interval has passed and the
// database's version differs from the loaded one.
func (en *Enforcer) refresh(ctx context.Context) error {
	en.mu.Lock()
	defer en.mu.Unlock()
	if en.now().Sub(en.checked) < en.interval {
		return nil
	}
	v, err := en.store.PolicyVersion(ctx)
	if err != nil {
		return err
	}
	if v == en.loaded {
		en.checked = en.now()
		return nil
	}
	return en.reloadLocked(ctx)
}

// Allow reports whether subject sub may do act on obj in domain dom. It
// returns an error when the policies cannot be read; callers deny then.
func (en *Enforcer) Allow(ctx context.Context, sub, dom, obj, act string) (bool, error) {
	if err := en.refresh(ctx); err != nil {
		return false, err
	}
	ok, err := en.e.Enforce(sub, dom, obj, act)
	if err != nil {
		return false, fmt.Errorf("enforce: %w", err)
	}
	return ok, nil
}

// domainOf is the Casbin domain a user acts in: every tenant for an
// operator, their own tenant otherwise.
func domainOf(u storage.User) string {
	if u.Role == storage.RoleOperator {
		return storage.AnyDomain
	}
	return storage.TenantDomain(u.TenantID)
}

// Can reports whether the user may do act on obj in their domain; any
// error counts as no.
func (en *Enforcer) Can(ctx context.Context, u storage.User, obj, act string) bool {
	ok, err := en.Allow(ctx, storage.UserSubject(u.ID), domainOf(u), obj, act)
	return err == nil && ok
}
