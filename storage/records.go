package storage

import (
	"encoding/json"
	"fmt"
	"time"

	"websignup/forms"
)

// The records below are the rows as GORM sees them. They never leave this
// package: methods convert them to forms types.

type tenantRecord struct {
	ID        int64     `gorm:"column:id;primaryKey"`
	Name      string    `gorm:"column:name"`
	IParent   int64     `gorm:"column:i_parent"`
	Hostname  string    `gorm:"column:hostname"`
	CreatedAt time.Time `gorm:"column:created_at"`
}

func (tenantRecord) TableName() string { return "tenants" }

func (r tenantRecord) tenant() forms.Tenant {
	return forms.Tenant{ID: r.ID, Name: r.Name, IParent: r.IParent, Hostname: r.Hostname}
}

type formRecord struct {
	ID        int64     `gorm:"column:id;primaryKey"`
	TenantID  int64     `gorm:"column:tenant_id"`
	Slug      string    `gorm:"column:slug"`
	Name      string    `gorm:"column:name"`
	CreatedAt time.Time `gorm:"column:created_at"`
}

func (formRecord) TableName() string { return "forms" }

func (r formRecord) form() forms.Form {
	return forms.Form{ID: r.ID, TenantID: r.TenantID, Slug: r.Slug, Name: r.Name, CreatedAt: r.CreatedAt.UTC()}
}

type versionRecord struct {
	ID          int64      `gorm:"column:id;primaryKey"`
	FormID      int64      `gorm:"column:form_id"`
	Number      int        `gorm:"column:number"`
	Status      string     `gorm:"column:status"`
	Author      string     `gorm:"column:author"`
	Config      string     `gorm:"column:config"` // forms.Config as JSON
	CreatedAt   time.Time  `gorm:"column:created_at"`
	PublishedAt *time.Time `gorm:"column:published_at"`
	PublishedBy string     `gorm:"column:published_by"` // kept for the audit trail
}

func (versionRecord) TableName() string { return "form_versions" }

// version converts the record. The stored configuration is decoded
// leniently (plain encoding/json): it was validated when it was written, and
// a field dropped from a later forms.Config must not make old versions
// unreadable.
func (r versionRecord) version() (forms.Version, error) {
	v := forms.Version{
		ID:        r.ID,
		FormID:    r.FormID,
		Number:    r.Number,
		Status:    forms.Status(r.Status),
		Author:    r.Author,
		CreatedAt: r.CreatedAt.UTC(),
	}
	if r.PublishedAt != nil {
		t := r.PublishedAt.UTC()
		v.PublishedAt = &t
	}
	if err := json.Unmarshal([]byte(r.Config), &v.Config); err != nil {
		return forms.Version{}, fmt.Errorf("decode configuration of version %d: %w", r.ID, err)
	}
	return v, nil
}

func encodeConfig(cfg forms.Config) (string, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return "", fmt.Errorf("encode configuration: %w", err)
	}
	return string(b), nil
}
