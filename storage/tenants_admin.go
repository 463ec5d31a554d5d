package storage

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"websignup/forms"
)

// maxHostnameLen is the longest host name DNS allows.
const maxHostnameLen = 253

// checkTenant validates and normalises what an admin typed for a tenant.
func checkTenant(t forms.Tenant) (forms.Tenant, error) {
	t.Name = strings.TrimSpace(t.Name)
	t.Hostname = strings.ToLower(strings.TrimSpace(t.Hostname))
	if t.Name == "" || utf8.RuneCountInString(t.Name) > 100 {
		return t, forms.Errorf(forms.EInvalid, "A tenant needs a name of at most 100 characters")
	}
	if t.IParent < 0 {
		return t, forms.Errorf(forms.EInvalid, "The PortaSwitch reseller id (i_parent) is a positive number, or 0 for none")
	}
	if t.Hostname != "" && !ValidHostname(t.Hostname) {
		return t, forms.Errorf(forms.EInvalid, "Enter a host name such as signup.example.com, or leave it empty")
	}
	return t, nil
}

// ValidHostname reports whether h is a lower-case DNS name of letters,
// digits and inner hyphens in dot-separated labels, with at least one dot.
func ValidHostname(h string) bool {
	if len(h) > maxHostnameLen || !strings.Contains(h, ".") {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				return false
			}
		}
	}
	return true
}

func (t tenantRecord) auditView() map[string]any {
	return map[string]any{"name": t.Name, "i_parent": t.IParent, "hostname": t.Hostname}
}

// Tenants returns every tenant, by name.
func (s *Store) Tenants(ctx context.Context) ([]forms.Tenant, error) {
	var recs []tenantRecord
	if err := s.db.WithContext(ctx).Order("name").Find(&recs).Error; err != nil {
		return nil, dbError(err, "list tenants", "tenant")
	}
	out := make([]forms.Tenant, len(recs))
	for i, r := range recs {
		out[i] = r.tenant()
	}
	return out, nil
}

// AddTenant stores a new tenant and records it in the audit log, in one
// transaction. It returns EInvalid for a bad name, i_parent or host name
// and EConflict when the name is taken.
func (s *Store) AddTenant(ctx context.Context, actor Actor, t forms.Tenant) (forms.Tenant, error) {
	t, err := checkTenant(t)
	if err != nil {
		return forms.Tenant{}, err
	}
	var out forms.Tenant
	err = s.write(ctx, func(tx *gorm.DB) error {
		rec := tenantRecord{Name: t.Name, IParent: t.IParent, Hostname: t.Hostname, CreatedAt: tx.NowFunc()}
		if err := tx.Create(&rec).Error; err != nil {
			return dbError(err, "create tenant", "a tenant named "+t.Name)
		}
		out = rec.tenant()
		return recordAudit(tx, AuditEntry{
			ActorUserID: actor.UserID, ActorEmail: actor.Email, TenantID: rec.ID,
			Action: "tenant.create", ObjectType: "tenant", ObjectID: strconv.FormatInt(rec.ID, 10),
			After: AuditJSON(rec.auditView()),
		})
	})
	return out, err
}

// EditTenant replaces the name, i_parent and host name of the tenant with
// the given id and records the change, in one transaction. It returns
// ENotFound for an unknown tenant, EInvalid for bad values and EConflict
// when the new name is taken.
func (s *Store) EditTenant(ctx context.Context, actor Actor, id int64, t forms.Tenant) (forms.Tenant, error) {
	t, err := checkTenant(t)
	if err != nil {
		return forms.Tenant{}, err
	}
	var out forms.Tenant
	err = s.write(ctx, func(tx *gorm.DB) error {
		var before tenantRecord
		if err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Take(&before, "id = ?", id).Error; err != nil {
			return dbError(err, "lock tenant", "tenant")
		}
		after := before
		after.Name, after.IParent, after.Hostname = t.Name, t.IParent, t.Hostname
		if err := tx.Model(&tenantRecord{}).Where("id = ?", id).
			Updates(map[string]any{"name": t.Name, "i_parent": t.IParent, "hostname": t.Hostname}).Error; err != nil {
			return dbError(err, "update tenant", "a tenant named "+t.Name)
		}
		out = after.tenant()
		return recordAudit(tx, AuditEntry{
			ActorUserID: actor.UserID, ActorEmail: actor.Email, TenantID: id,
			Action: "tenant.update", ObjectType: "tenant", ObjectID: strconv.FormatInt(id, 10),
			Before: AuditJSON(before.auditView()), After: AuditJSON(after.auditView()),
		})
	})
	return out, err
}

// ScopedForm is a form with the name of its tenant, for lists that span
// tenants.
type ScopedForm struct {
	forms.Form
	TenantName string
	// Published is the number of the published version; 0 when none is.
	Published int
	// HasDraft says whether the form has an unpublished draft.
	HasDraft bool
}

// FormsInScope returns the forms within scope with their tenant's name and
// publication state, by tenant name then slug.
func (s *Store) FormsInScope(ctx context.Context, scope Scope) ([]ScopedForm, error) {
	type row struct {
		Form       formRecord `gorm:"embedded"`
		TenantName string     `gorm:"column:tenant_name"`
		Published  *int       `gorm:"column:published"`
		Drafts     int        `gorm:"column:drafts"`
	}
	var rows []row
	q := s.db.WithContext(ctx).Table("forms").
		Select(`forms.*, tenants.name AS tenant_name,
			(SELECT MAX(number) FROM form_versions v WHERE v.form_id = forms.id AND v.status = 'published') AS published,
			(SELECT COUNT(*) FROM form_versions v WHERE v.form_id = forms.id AND v.status = 'draft') AS drafts`).
		Joins("JOIN tenants ON tenants.id = forms.tenant_id")
	if err := scope.where(q, "forms.tenant_id").Order("tenants.name, forms.slug").Find(&rows).Error; err != nil {
		return nil, dbError(err, "list forms", "form")
	}
	out := make([]ScopedForm, len(rows))
	for i, r := range rows {
		out[i] = ScopedForm{Form: r.Form.form(), TenantName: r.TenantName, HasDraft: r.Drafts > 0}
		if r.Published != nil {
			out[i].Published = *r.Published
		}
	}
	return out, nil
}
