package storage

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"websignup/forms"
)

// CreateTenant stores a new tenant and returns it with its ID. It returns
// EInvalid for an empty name and EConflict when the name is taken.
func (s *Store) CreateTenant(ctx context.Context, t forms.Tenant) (forms.Tenant, error) {
	name := strings.TrimSpace(t.Name)
	if name == "" || len(name) > 100 {
		return forms.Tenant{}, forms.Errorf(forms.EInvalid, "A tenant needs a name of at most 100 characters")
	}
	var rec tenantRecord
	if err := s.write(ctx, func(tx *gorm.DB) error {
		rec = tenantRecord{Name: name, IParent: t.IParent, Hostname: strings.TrimSpace(t.Hostname)}
		return tx.Create(&rec).Error
	}); err != nil {
		return forms.Tenant{}, dbError(err, "create tenant", "tenant "+name)
	}
	return rec.tenant(), nil
}

// Tenant returns the tenant with the given ID, or ENotFound.
func (s *Store) Tenant(ctx context.Context, id int64) (forms.Tenant, error) {
	var rec tenantRecord
	if err := s.db.WithContext(ctx).Take(&rec, "id = ?", id).Error; err != nil {
		return forms.Tenant{}, dbError(err, "get tenant", "tenant")
	}
	return rec.tenant(), nil
}

// TenantByName returns the tenant with the given name, or ENotFound.
func (s *Store) TenantByName(ctx context.Context, name string) (forms.Tenant, error) {
	var rec tenantRecord
	if err := s.db.WithContext(ctx).Take(&rec, "name = ?", name).Error; err != nil {
		return forms.Tenant{}, dbError(err, "get tenant by name", "tenant "+name)
	}
	return rec.tenant(), nil
}

// ValidSlug reports whether slug can address a form: 1 to 63 lower-case
// letters, digits and inner hyphens, so it is safe in a URL path as is.
func ValidSlug(slug string) bool {
	if slug == "" || len(slug) > 63 || slug[0] == '-' || slug[len(slug)-1] == '-' {
		return false
	}
	for _, r := range slug {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// CreateForm stores a new form (its TenantID, Slug and Name) without any
// version and returns it with its ID. It returns EInvalid for a bad slug or
// name or an unknown tenant, and EConflict when the slug is taken.
func (s *Store) CreateForm(ctx context.Context, f forms.Form) (forms.Form, error) {
	var out forms.Form
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		out, err = createForm(tx, f)
		return err
	})
	return out, err
}

func createForm(tx *gorm.DB, f forms.Form) (forms.Form, error) {
	if !ValidSlug(f.Slug) {
		return forms.Form{}, forms.Errorf(forms.EInvalid,
			"A form's address must be 1 to 63 lower-case letters, digits or hyphens")
	}
	name := strings.TrimSpace(f.Name)
	if name == "" || len(name) > 100 {
		return forms.Form{}, forms.Errorf(forms.EInvalid, "A form needs a name of at most 100 characters")
	}
	// Look the tenant up rather than rely on the foreign key, so that an
	// unknown tenant reads the same on both engines.
	var n int64
	if err := tx.Model(&tenantRecord{}).Where("id = ?", f.TenantID).Count(&n).Error; err != nil {
		return forms.Form{}, dbError(err, "create form", "form")
	}
	if n == 0 {
		return forms.Form{}, forms.Errorf(forms.EInvalid, "The form's tenant does not exist")
	}
	rec := formRecord{TenantID: f.TenantID, Slug: f.Slug, Name: name}
	if err := tx.Create(&rec).Error; err != nil {
		return forms.Form{}, dbError(err, "create form", "a form at /s/"+f.Slug+"/")
	}
	return rec.form(), nil
}

// Form returns the form with the given ID, or ENotFound.
func (s *Store) Form(ctx context.Context, id int64) (forms.Form, error) {
	var rec formRecord
	if err := s.db.WithContext(ctx).Take(&rec, "id = ?", id).Error; err != nil {
		return forms.Form{}, dbError(err, "get form", "form")
	}
	return rec.form(), nil
}

// FormBySlug returns the form with the given slug, or ENotFound.
func (s *Store) FormBySlug(ctx context.Context, slug string) (forms.Form, error) {
	var rec formRecord
	if err := s.db.WithContext(ctx).Take(&rec, "slug = ?", slug).Error; err != nil {
		return forms.Form{}, dbError(err, "get form by slug", "form")
	}
	return rec.form(), nil
}

// Forms returns the forms of a tenant ordered by slug; none is not an error.
func (s *Store) Forms(ctx context.Context, tenantID int64) ([]forms.Form, error) {
	var recs []formRecord
	if err := s.db.WithContext(ctx).Where("tenant_id = ?", tenantID).Order("slug").Find(&recs).Error; err != nil {
		return nil, dbError(err, "list forms", "form")
	}
	out := make([]forms.Form, len(recs))
	for i, r := range recs {
		out[i] = r.form()
	}
	return out, nil
}

// IsEmpty reports whether the database holds no form at all, e.g. to seed
// the demo only into a fresh installation.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&formRecord{}).Count(&n).Error; err != nil {
		return false, dbError(err, "count forms", "form")
	}
	return n == 0, nil
}

// SaveDraft validates cfg and makes it the form's draft: it replaces the
// content of the existing draft, or creates a draft numbered after the
// form's latest version. It returns the validation error (EInvalid) for a
// broken configuration and ENotFound for an unknown form.
func (s *Store) SaveDraft(ctx context.Context, formID int64, cfg forms.Config, author string) (forms.Version, error) {
	var out forms.Version
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		out, err = saveDraft(tx, formID, cfg, author)
		return err
	})
	return out, err
}

func saveDraft(tx *gorm.DB, formID int64, cfg forms.Config, author string) (forms.Version, error) {
	if err := cfg.Validate(); err != nil {
		return forms.Version{}, err
	}
	doc, err := encodeConfig(cfg)
	if err != nil {
		return forms.Version{}, err
	}
	if err := lockForm(tx, formID); err != nil {
		return forms.Version{}, err
	}
	var draft versionRecord
	err = tx.Take(&draft, "form_id = ? AND status = ?", formID, string(forms.StatusDraft)).Error
	switch {
	case err == nil:
		draft.Config, draft.Author = doc, author
		if err := tx.Model(&draft).Select("config", "author").Updates(&draft).Error; err != nil {
			return forms.Version{}, dbError(err, "replace draft", "draft")
		}
	case gormNotFound(err):
		var latest *int
		if err := tx.Model(&versionRecord{}).Where("form_id = ?", formID).
			Select("MAX(number)").Scan(&latest).Error; err != nil {
			return forms.Version{}, dbError(err, "number draft", "draft")
		}
		draft = versionRecord{FormID: formID, Number: 1, Status: string(forms.StatusDraft), Author: author, Config: doc}
		if latest != nil {
			draft.Number = *latest + 1
		}
		if err := tx.Create(&draft).Error; err != nil {
			return forms.Version{}, dbError(err, "create draft", "a draft of this form")
		}
	default:
		return forms.Version{}, dbError(err, "find draft", "draft")
	}
	return draft.version()
}

// lockForm checks that the form exists and, on PostgreSQL, locks its row
// for the rest of the transaction so that concurrent drafts and publishes
// of one form run one after the other. (SQLite's write transactions are
// exclusive already; its dialect drops the FOR UPDATE.)
func lockForm(tx *gorm.DB, formID int64) error {
	var rec formRecord
	err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Take(&rec, "id = ?", formID).Error
	return dbError(err, "lock form", "form")
}

// Publish makes the form's draft its published version and archives the
// version published before, in one transaction, and returns the newly
// published version. It returns ENotFound for an unknown form or a form
// without a draft.
func (s *Store) Publish(ctx context.Context, formID int64, author string) (forms.Version, error) {
	var out forms.Version
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		out, err = publish(tx, formID, author, tx.NowFunc())
		return err
	})
	return out, err
}

func publish(tx *gorm.DB, formID int64, author string, now time.Time) (forms.Version, error) {
	if err := lockForm(tx, formID); err != nil {
		return forms.Version{}, err
	}
	var draft versionRecord
	if err := tx.Take(&draft, "form_id = ? AND status = ?", formID, string(forms.StatusDraft)).Error; err != nil {
		if gormNotFound(err) {
			return forms.Version{}, forms.Errorf(forms.ENotFound, "This form has no draft to publish")
		}
		return forms.Version{}, dbError(err, "find draft", "draft")
	}
	// Archive first: the partial unique index allows one published version
	// per form at the end of every statement.
	if err := tx.Model(&versionRecord{}).
		Where("form_id = ? AND status = ?", formID, string(forms.StatusPublished)).
		Update("status", string(forms.StatusArchived)).Error; err != nil {
		return forms.Version{}, dbError(err, "archive published version", "version")
	}
	draft.Status, draft.PublishedAt, draft.PublishedBy = string(forms.StatusPublished), &now, author
	if err := tx.Model(&draft).Select("status", "published_at", "published_by").Updates(&draft).Error; err != nil {
		return forms.Version{}, dbError(err, "publish draft", "a published version of this form")
	}
	return draft.version()
}

// PublishedForm returns the form with the given slug and its published
// version. It returns ENotFound when there is no such form or the form has
// nothing published.
func (s *Store) PublishedForm(ctx context.Context, slug string) (forms.Form, forms.Version, error) {
	db := s.db.WithContext(ctx)
	var f formRecord
	if err := db.Take(&f, "slug = ?", slug).Error; err != nil {
		return forms.Form{}, forms.Version{}, dbError(err, "get published form", "form")
	}
	var v versionRecord
	if err := db.Take(&v, "form_id = ? AND status = ?", f.ID, string(forms.StatusPublished)).Error; err != nil {
		return forms.Form{}, forms.Version{}, dbError(err, "get published version", "form")
	}
	version, err := v.version()
	if err != nil {
		return forms.Form{}, forms.Version{}, err
	}
	return f.form(), version, nil
}

// Versions returns every version of a form, newest first; a form without
// versions (or an unknown form) gives none.
func (s *Store) Versions(ctx context.Context, formID int64) ([]forms.Version, error) {
	var recs []versionRecord
	if err := s.db.WithContext(ctx).Where("form_id = ?", formID).Order("number DESC").Find(&recs).Error; err != nil {
		return nil, dbError(err, "list versions", "version")
	}
	out := make([]forms.Version, len(recs))
	for i, r := range recs {
		v, err := r.version()
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// Version returns the version with the given ID, or ENotFound.
func (s *Store) Version(ctx context.Context, id int64) (forms.Version, error) {
	var rec versionRecord
	if err := s.db.WithContext(ctx).Take(&rec, "id = ?", id).Error; err != nil {
		return forms.Version{}, dbError(err, "get version", "version")
	}
	return rec.version()
}

func gormNotFound(err error) bool { return err != nil && errors.Is(err, gorm.ErrRecordNotFound) }
