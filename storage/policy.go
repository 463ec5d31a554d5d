package storage

import (
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// CasbinTable is the table holding Casbin's policies and role assignments.
// Migration 30 creates it; the adapter never migrates it.
const CasbinTable = "casbin_rules"

// AnyDomain is the Casbin domain of grants that hold in every tenant: an
// operator's role assignment and the role policies themselves.
const AnyDomain = "*"

// UserSubject is the Casbin subject of the admin user with the given id.
func UserSubject(id int64) string { return "user:" + strconv.FormatInt(id, 10) }

// TenantDomain is the Casbin domain of the tenant with the given id.
func TenantDomain(id int64) string { return "tenant:" + strconv.FormatInt(id, 10) }

// CasbinAdapter returns a Casbin adapter over the store's database and the
// casbin_rules table (migration 30 creates it). The enforcer only loads
// rules through it; the store writes them in its own transactions.
func (s *Store) CasbinAdapter() (persist.Adapter, error) {
	return newCasbinAdapter(s.db), nil
}

// casbinAdapter is casbin/gorm-adapter's behaviour for the calls websignup
// makes, over casbinRuleRecord. It replaces that module because the module
// links GORM's MySQL and SQL Server drivers and a second, pure-Go SQLite
// into the binary: 5.7 MB of code and read-only data, nearly all of it
// resident in every process.
type casbinAdapter struct{ db *gorm.DB }

var _ persist.Adapter = (*casbinAdapter)(nil)

func newCasbinAdapter(db *gorm.DB) *casbinAdapter {
	return &casbinAdapter{db: db.Session(&gorm.Session{})}
}

// LoadPolicy loads every rule, in id order, into m. It returns the
// database's error or Casbin's for a malformed rule.
func (a *casbinAdapter) LoadPolicy(m model.Model) error {
	var rs []casbinRuleRecord
	if err := a.db.Order("id").Find(&rs).Error; err != nil {
		return err
	}
	for _, r := range rs {
		if err := persist.LoadPolicyArray(append([]string{r.Ptype}, r.values()...), m); err != nil {
			return err
		}
	}
	return nil
}

// SavePolicy returns an error: rules are written by the store (SyncPolicies,
// assignRole), never saved wholesale from an enforcer.
func (a *casbinAdapter) SavePolicy(model.Model) error {
	return errors.New("casbin adapter: SavePolicy is not supported")
}

// AddPolicy adds the rule (at most six values); an identical rule already
// there is left as it is. It returns the database's error.
func (a *casbinAdapter) AddPolicy(_, ptype string, rule []string) error {
	rec, err := ruleRecord(ptype, rule)
	if err != nil {
		return err
	}
	return a.db.Clauses(clause.OnConflict{DoNothing: true}).Omit("id").Create(&rec).Error
}

// RemovePolicy removes the rules of ptype whose values equal rule's
// non-empty ones. It returns the database's error.
func (a *casbinAdapter) RemovePolicy(_, ptype string, rule []string) error {
	rec, err := ruleRecord(ptype, rule)
	if err != nil {
		return err
	}
	return a.delete(rec)
}

// RemoveFilteredPolicy removes the rules of ptype whose values from
// fieldIndex on equal fieldValues' non-empty ones. As gorm-adapter, it
// refuses a filter of empty values only (it would remove every rule).
func (a *casbinAdapter) RemoveFilteredPolicy(_, ptype string, fieldIndex int, fieldValues ...string) error {
	if fieldIndex < 0 {
		return errors.New("casbin adapter: negative field index")
	}
	if !slices.ContainsFunc(fieldValues, func(v string) bool { return v != "" }) {
		return errors.New("casbin adapter: the filter's values cannot all be empty")
	}
	rule := make([]string, fieldIndex+len(fieldValues))
	copy(rule[fieldIndex:], fieldValues)
	rec, err := ruleRecord(ptype, rule)
	if err != nil {
		return err
	}
	return a.delete(rec)
}

func ruleRecord(ptype string, rule []string) (casbinRuleRecord, error) {
	rec := casbinRuleRecord{Ptype: ptype}
	dst := []*string{&rec.V0, &rec.V1, &rec.V2, &rec.V3, &rec.V4, &rec.V5}
	if len(rule) > len(dst) {
		return rec, errors.New("casbin adapter: a rule has at most six values")
	}
	for i, v := range rule {
		*dst[i] = v
	}
	return rec, nil
}

func (a *casbinAdapter) delete(r casbinRuleRecord) error {
	q := a.db.Where("ptype = ?", r.Ptype)
	for i, v := range []string{r.V0, r.V1, r.V2, r.V3, r.V4, r.V5} {
		if v != "" {
			q = q.Where("v"+strconv.Itoa(i)+" = ?", v)
		}
	}
	return q.Delete(&casbinRuleRecord{}).Error
}

// assignRole replaces the role assignment (g rule) of a user, within tx,
// through the Casbin adapter, and bumps the policy version so every
// instance reloads.
func assignRole(tx *gorm.DB, userID int64, role Role, tenantID *int64) error {
	a := newCasbinAdapter(tx)
	sub := UserSubject(userID)
	if err := a.RemoveFilteredPolicy("g", "g", 0, sub); err != nil {
		return dbError(err, "remove role assignment", "role assignment")
	}
	dom := AnyDomain
	if tenantID != nil {
		dom = TenantDomain(*tenantID)
	}
	if err := a.AddPolicy("g", "g", []string{sub, string(role), dom}); err != nil {
		return dbError(err, "assign role", "role assignment")
	}
	return bumpPolicyVersion(tx)
}

func bumpPolicyVersion(tx *gorm.DB) error {
	return dbError(tx.Exec(`UPDATE policy_version SET version = version + 1 WHERE id = 1`).Error,
		"bump policy version", "policy version")
}

// PolicyVersion returns the policy version, which every change to
// casbin_rules made through this store increases. Instances compare it
// with the version they loaded to know when to reload (a cheap one-row
// read, done at most every few seconds).
func (s *Store) PolicyVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.WithContext(ctx).Raw(`SELECT version FROM policy_version WHERE id = 1`).Scan(&v).Error
	return v, dbError(err, "read policy version", "policy version")
}

type casbinRuleRecord struct {
	ID    int64  `gorm:"column:id;primaryKey"`
	Ptype string `gorm:"column:ptype"`
	V0    string `gorm:"column:v0"`
	V1    string `gorm:"column:v1"`
	V2    string `gorm:"column:v2"`
	V3    string `gorm:"column:v3"`
	V4    string `gorm:"column:v4"`
	V5    string `gorm:"column:v5"`
}

func (casbinRuleRecord) TableName() string { return CasbinTable }

func (r casbinRuleRecord) values() []string {
	v := []string{r.V0, r.V1, r.V2, r.V3, r.V4, r.V5}
	for len(v) > 0 && v[len(v)-1] == "" {
		v = v[:len(v)-1]
	}
	return v
}

// SyncPolicies makes the "p" rules in casbin_rules exactly rules (each up
// to six values), adding the missing and removing the others, in one
// transaction, and bumps the policy version when anything changed. The
// role policies are thus defined in code and every start converges on
// them, even with several instances starting at once. It reports whether
// anything changed.
func (s *Store) SyncPolicies(ctx context.Context, rules [][]string) (bool, error) {
	changed := false
	err := s.write(ctx, func(tx *gorm.DB) error {
		var have []casbinRuleRecord
		if err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
			Where("ptype = ?", "p").Find(&have).Error; err != nil {
			return dbError(err, "read policies", "policy")
		}
		keep := map[int64]bool{}
		for _, want := range rules {
			found := false
			for _, h := range have {
				if slices.Equal(h.values(), want) {
					keep[h.ID], found = true, true
				}
			}
			if found {
				continue
			}
			rec := casbinRuleRecord{Ptype: "p"}
			dst := []*string{&rec.V0, &rec.V1, &rec.V2, &rec.V3, &rec.V4, &rec.V5}
			for i, v := range want {
				*dst[i] = v
			}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Omit("id").Create(&rec).Error; err != nil {
				return dbError(err, "add policy", "policy")
			}
			changed = true
		}
		for _, h := range have {
			if !keep[h.ID] {
				if err := tx.Delete(&casbinRuleRecord{}, h.ID).Error; err != nil {
					return dbError(err, "remove policy", "policy")
				}
				changed = true
			}
		}
		if changed {
			return bumpPolicyVersion(tx)
		}
		return nil
	})
	return changed, err
}
