package storage

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"gorm.io/gorm"

	"websignup/forms"
)

// AuditEntry is one admin change: who made it, when, in which tenant, what
// (action, object type and id) and the object before and after, as JSON.
type AuditEntry struct {
	ID          int64
	At          time.Time // set by RecordAudit when zero
	ActorUserID int64     // 0 for the command line or the server itself
	ActorEmail  string
	TenantID    int64  // the tenant the object belongs to; 0 for none
	Action      string // e.g. "user.create", "form.publish"
	ObjectType  string // e.g. "user", "tenant", "form"
	ObjectID    string
	Before      json.RawMessage // nil when there was nothing before
	After       json.RawMessage // nil when nothing is left after
}

// AuditJSON encodes v for AuditEntry.Before or After; nil stays nil. A
// value that cannot be encoded is recorded as a JSON string saying so
// rather than failing the change it describes.
func AuditJSON(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal("unencodable: " + err.Error())
	}
	return b
}

type auditRecord struct {
	ID          int64     `gorm:"column:id;primaryKey"`
	At          time.Time `gorm:"column:at"`
	ActorUserID *int64    `gorm:"column:actor_user_id"`
	ActorEmail  string    `gorm:"column:actor_email"`
	TenantID    *int64    `gorm:"column:tenant_id"`
	Action      string    `gorm:"column:action"`
	ObjectType  string    `gorm:"column:object_type"`
	ObjectID    string    `gorm:"column:object_id"`
	Before      *string   `gorm:"column:before"`
	After       *string   `gorm:"column:after"`
}

func (auditRecord) TableName() string { return "audit_log" }

func (r auditRecord) entry() AuditEntry {
	e := AuditEntry{ID: r.ID, At: r.At.UTC(), ActorEmail: r.ActorEmail, Action: r.Action,
		ObjectType: r.ObjectType, ObjectID: r.ObjectID}
	if r.ActorUserID != nil {
		e.ActorUserID = *r.ActorUserID
	}
	if r.TenantID != nil {
		e.TenantID = *r.TenantID
	}
	if r.Before != nil {
		e.Before = json.RawMessage(*r.Before)
	}
	if r.After != nil {
		e.After = json.RawMessage(*r.After)
	}
	return e
}

func optInt(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

func optJSON(b json.RawMessage) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}

// RecordAudit appends e to the audit log. It returns EInvalid when the
// entry lacks an actor, an action or an object type.
func (s *Store) RecordAudit(ctx context.Context, e AuditEntry) error {
	return recordAudit(s.db.WithContext(ctx), e)
}

func recordAudit(tx *gorm.DB, e AuditEntry) error {
	if strings.TrimSpace(e.ActorEmail) == "" || e.Action == "" || e.ObjectType == "" {
		return forms.Errorf(forms.EInvalid, "An audit entry needs an actor, an action and an object type")
	}
	at := e.At
	if at.IsZero() {
		at = tx.NowFunc()
	}
	rec := auditRecord{At: at.UTC(), ActorUserID: optInt(e.ActorUserID), ActorEmail: e.ActorEmail,
		TenantID: optInt(e.TenantID), Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID,
		Before: optJSON(e.Before), After: optJSON(e.After)}
	return dbError(tx.Create(&rec).Error, "record audit entry", "audit entry")
}

// AuditFilter narrows the audit log; empty fields match everything.
type AuditFilter struct {
	Actor      string // part of the actor's email, any case
	Action     string // exact action, e.g. "user.update"
	ObjectType string // exact object type
	ObjectID   string // exact object id
	Offset     int
	Limit      int // default 50, at most 200
}

// AuditLog returns the entries within scope that match f, newest first,
// and how many match in all. An operator's scope sees every entry; a
// tenant's sees the entries about that tenant.
func (s *Store) AuditLog(ctx context.Context, scope Scope, f AuditFilter) ([]AuditEntry, int64, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 200)
	f.Offset = max(f.Offset, 0)
	q := scope.where(s.db.WithContext(ctx).Model(&auditRecord{}), "tenant_id")
	if a := strings.ToLower(strings.TrimSpace(f.Actor)); a != "" {
		q = q.Where("lower(actor_email) LIKE ? ESCAPE '\\'", "%"+escapeLike(a)+"%")
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.ObjectType != "" {
		q = q.Where("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		q = q.Where("object_id = ?", f.ObjectID)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, dbError(err, "count audit entries", "audit entry")
	}
	var recs []auditRecord
	if err := q.Order("id DESC").Offset(f.Offset).Limit(f.Limit).Find(&recs).Error; err != nil {
		return nil, 0, dbError(err, "list audit entries", "audit entry")
	}
	out := make([]AuditEntry, len(recs))
	for i, r := range recs {
		out[i] = r.entry()
	}
	return out, total, nil
}

// AuditActions returns the distinct actions recorded within scope, sorted,
// for the audit log's filter.
func (s *Store) AuditActions(ctx context.Context, scope Scope) ([]string, error) {
	var out []string
	err := scope.where(s.db.WithContext(ctx).Model(&auditRecord{}), "tenant_id").
		Distinct("action").Order("action").Pluck("action", &out).Error
	return out, dbError(err, "list audit actions", "audit entry")
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
