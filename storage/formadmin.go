package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"gorm.io/gorm"

	"websignup/forms"
)

// This file holds what the form builder of the admin area needs beyond
// forms.go: forms looked up within a tenant scope, the draft and published
// versions of a form at once, creating a form with its first draft,
// importing, rolling back, and uploaded media (logos, device pictures).

// FormInScope returns the form with the given id when it belongs to a
// tenant within scope. A form of another tenant is reported exactly like a
// form that does not exist: ENotFound.
func (s *Store) FormInScope(ctx context.Context, scope Scope, id int64) (forms.Form, error) {
	var rec formRecord
	q := scope.where(s.db.WithContext(ctx).Where("id = ?", id), "tenant_id")
	if err := q.Take(&rec).Error; err != nil {
		return forms.Form{}, dbError(err, "get form in scope", "form")
	}
	return rec.form(), nil
}

// DraftAndPublished returns the draft and the published version of a form;
// either is nil when the form has none.
func (s *Store) DraftAndPublished(ctx context.Context, formID int64) (draft, published *forms.Version, err error) {
	var recs []versionRecord
	if err := s.db.WithContext(ctx).
		Where("form_id = ? AND status IN ?", formID, []string{string(forms.StatusDraft), string(forms.StatusPublished)}).
		Find(&recs).Error; err != nil {
		return nil, nil, dbError(err, "get draft and published", "version")
	}
	for _, r := range recs {
		v, err := r.version()
		if err != nil {
			return nil, nil, err
		}
		switch v.Status {
		case forms.StatusDraft:
			draft = &v
		case forms.StatusPublished:
			published = &v
		}
	}
	return draft, published, nil
}

// FormVersion returns the version with the given id when it belongs to the
// form, and ENotFound otherwise (also for another form's version).
func (s *Store) FormVersion(ctx context.Context, formID, versionID int64) (forms.Version, error) {
	var rec versionRecord
	if err := s.db.WithContext(ctx).Take(&rec, "id = ? AND form_id = ?", versionID, formID).Error; err != nil {
		return forms.Version{}, dbError(err, "get version of form", "version")
	}
	return rec.version()
}

// CreateFormWithDraft stores a new form and cfg as its first draft, in one
// transaction, so that a form never exists without something to edit. It
// returns EInvalid for a bad slug, name or tenant, the ValidationErrors of
// a broken cfg, and EConflict when the slug is taken.
func (s *Store) CreateFormWithDraft(ctx context.Context, f forms.Form, cfg forms.Config, author string) (forms.Form, forms.Version, error) {
	if err := cfg.Validate(); err != nil {
		return forms.Form{}, forms.Version{}, err
	}
	var (
		form    forms.Form
		version forms.Version
	)
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		if form, err = createForm(tx, f); err != nil {
			return err
		}
		version, err = saveDraft(tx, form.ID, cfg, author)
		return err
	})
	if err != nil {
		return forms.Form{}, forms.Version{}, err
	}
	return form, version, nil
}

// ImportConfig makes cfg the form's draft and, when publish is true,
// publishes it, all in one transaction: either everything happens or
// nothing does. It returns the ValidationErrors of a broken cfg and
// ENotFound for an unknown form.
func (s *Store) ImportConfig(ctx context.Context, formID int64, cfg forms.Config, author string, publishNow bool) (forms.Version, error) {
	var out forms.Version
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		if out, err = saveDraft(tx, formID, cfg, author); err != nil || !publishNow {
			return err
		}
		out, err = publish(tx, formID, author, tx.NowFunc())
		return err
	})
	return out, err
}

// Rollback publishes the configuration of an earlier version of the form
// as a new version, in one transaction: the configuration replaces the
// form's draft (or becomes a new draft) and is published at once. History
// is kept: the version rolled back to stays as it was. It returns ENotFound
// when the version is not the form's, and the ValidationErrors of a
// configuration that no longer validates.
func (s *Store) Rollback(ctx context.Context, formID, versionID int64, author string) (forms.Version, error) {
	var out forms.Version
	err := s.write(ctx, func(tx *gorm.DB) error {
		var rec versionRecord
		if err := tx.Take(&rec, "id = ? AND form_id = ?", versionID, formID).Error; err != nil {
			return dbError(err, "find version to roll back to", "version")
		}
		old, err := rec.version()
		if err != nil {
			return err
		}
		if _, err := saveDraft(tx, formID, old.Config, author); err != nil {
			return err
		}
		out, err = publish(tx, formID, author, tx.NowFunc())
		return err
	})
	return out, err
}

// RenameForm changes a form's display name. It returns EInvalid for an
// empty or long name and ENotFound for an unknown form.
func (s *Store) RenameForm(ctx context.Context, formID int64, name string) (forms.Form, error) {
	if name == "" || len([]rune(name)) > 100 {
		return forms.Form{}, forms.Errorf(forms.EInvalid, "A form needs a name of at most 100 characters")
	}
	var rec formRecord
	err := s.write(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&rec, "id = ?", formID).Error; err != nil {
			return dbError(err, "find form", "form")
		}
		rec.Name = name
		return dbError(tx.Model(&rec).Update("name", name).Error, "rename form", "form")
	})
	if err != nil {
		return forms.Form{}, err
	}
	return rec.form(), nil
}

// Media is an uploaded file served publicly at /media/{ID}: a logo or a
// device picture, already checked for type and size by whoever stored it.
type Media struct {
	ID          int64
	TenantID    int64
	ContentType string
	Data        []byte
	SHA256      string // hex digest of Data, for ETags
	CreatedAt   time.Time
}

type mediaRecord struct {
	ID          int64     `gorm:"column:id;primaryKey"`
	TenantID    int64     `gorm:"column:tenant_id"`
	ContentType string    `gorm:"column:content_type"`
	Data        []byte    `gorm:"column:data"`
	SHA256      string    `gorm:"column:sha256"`
	CreatedAt   time.Time `gorm:"column:created_at"`
}

func (mediaRecord) TableName() string { return "media" }

// MaxMediaSize caps an uploaded file.
const MaxMediaSize = 512 << 10

// SaveMedia stores an uploaded file of a tenant and returns it with its ID.
// It returns EInvalid for an empty or too large file or a missing content
// type; checking what the bytes are is the caller's job.
func (s *Store) SaveMedia(ctx context.Context, tenantID int64, contentType string, data []byte) (Media, error) {
	if len(data) == 0 || len(data) > MaxMediaSize || contentType == "" {
		return Media{}, forms.Errorf(forms.EInvalid, "The file must be between 1 byte and %d KiB", MaxMediaSize>>10)
	}
	sum := sha256.Sum256(data)
	var rec mediaRecord
	if err := s.write(ctx, func(tx *gorm.DB) error {
		rec = mediaRecord{TenantID: tenantID, ContentType: contentType, Data: data, SHA256: hex.EncodeToString(sum[:])}
		return tx.Create(&rec).Error
	}); err != nil {
		return Media{}, dbError(err, "save media", "media")
	}
	return Media(rec), nil
}

// Media returns the uploaded file with the given id, or ENotFound.
func (s *Store) Media(ctx context.Context, id int64) (Media, error) {
	var rec mediaRecord
	if err := s.db.WithContext(ctx).Take(&rec, "id = ?", id).Error; err != nil {
		return Media{}, dbError(err, "get media", "file")
	}
	rec.CreatedAt = rec.CreatedAt.UTC()
	return Media(rec), nil
}
