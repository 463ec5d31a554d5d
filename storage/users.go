package storage

import (
	"context"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"websignup/forms"
)

// Role is an admin user's role. Casbin decides what each role may do; the
// role is kept on the user row as well, so lists can show it and the role
// assignment in casbin_rules can be rebuilt from it.
type Role string

// The admin roles: an operator runs the whole installation (every tenant);
// an admin manages their tenant's forms, submissions and users; a viewer
// only reads within their tenant.
const (
	RoleOperator Role = "operator"
	RoleAdmin    Role = "admin"
	RoleViewer   Role = "viewer"
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleOperator, RoleAdmin, RoleViewer}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return r == RoleOperator || r == RoleAdmin || r == RoleViewer }

// Scope says which tenants' rows a query may see: every tenant (an
// operator's session) or exactly one. The zero value matches nothing, so a
// scope that was forgotten fails closed.
type Scope struct {
	all      bool
	tenantID int64
}

// AllTenants is the scope of an operator: every row.
func AllTenants() Scope { return Scope{all: true} }

// TenantOnly is the scope of a tenant's admin or viewer: that tenant's rows.
func TenantOnly(tenantID int64) Scope { return Scope{tenantID: tenantID} }

// All reports whether the scope covers every tenant.
func (s Scope) All() bool { return s.all }

// TenantID is the one tenant of a TenantOnly scope; 0 for AllTenants.
func (s Scope) TenantID() int64 { return s.tenantID }

// where restricts db to the rows whose column is within the scope.
func (s Scope) where(db *gorm.DB, column string) *gorm.DB {
	if s.all {
		return db
	}
	if s.tenantID == 0 {
		return db.Where("1 = 0")
	}
	return db.Where(column+" = ?", s.tenantID)
}

// Actor is who makes a change, as the audit log records it.
type Actor struct {
	UserID int64  // 0 for the command line or the server itself
	Email  string // or a name such as "cli" / "bootstrap"
}

// User is an admin user, without the password hash.
type User struct {
	ID         int64
	Email      string
	Role       Role
	TenantID   int64  // 0 for an operator
	TenantName string // "" for an operator
	CreatedAt  time.Time
	Disabled   bool
}

// NewUser is what CreateUser needs.
type NewUser struct {
	Email        string
	PasswordHash string // a PHC string; never the password itself
	Role         Role
	TenantID     int64 // required for admin and viewer, 0 for operator
}

// UserUpdate is the editable part of a user: every field is written.
type UserUpdate struct {
	Role     Role
	TenantID int64 // required for admin and viewer; ignored (cleared) for operator
	Disabled bool
}

type userRecord struct {
	ID           int64     `gorm:"column:id;primaryKey"`
	Email        string    `gorm:"column:email"`
	PasswordHash string    `gorm:"column:password_hash"`
	Role         string    `gorm:"column:role"`
	TenantID     *int64    `gorm:"column:tenant_id"`
	CreatedAt    time.Time `gorm:"column:created_at"`
	Disabled     bool      `gorm:"column:disabled"`
}

func (userRecord) TableName() string { return "admin_users" }

// userRow is a user joined with its tenant's name.
type userRow struct {
	// Named and tagged: GORM skips an embedded struct of an unexported type.
	Rec        userRecord `gorm:"embedded"`
	TenantName *string    `gorm:"column:tenant_name"`
}

func (r userRow) user() User {
	u := User{ID: r.Rec.ID, Email: r.Rec.Email, Role: Role(r.Rec.Role), CreatedAt: r.Rec.CreatedAt.UTC(), Disabled: r.Rec.Disabled}
	if r.Rec.TenantID != nil {
		u.TenantID = *r.Rec.TenantID
	}
	if r.TenantName != nil {
		u.TenantName = *r.TenantName
	}
	return u
}

// auditView is how a user appears in the audit log: never the hash.
func (u User) auditView() map[string]any {
	return map[string]any{"email": u.Email, "role": u.Role, "tenant_id": u.TenantID, "disabled": u.Disabled}
}

func usersQuery(db *gorm.DB) *gorm.DB {
	return db.Table("admin_users").
		Select("admin_users.*, tenants.name AS tenant_name").
		Joins("LEFT JOIN tenants ON tenants.id = admin_users.tenant_id")
}

// NormalizeEmail trims an address and lower-cases it, the form in which
// addresses are stored and compared.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// ValidEmail reports whether email (normalised) is a plain address such as
// ana@example.com, without a display name, at most 254 characters.
func ValidEmail(email string) bool {
	if email == "" || len(email) > 254 || strings.ContainsAny(email, " <>\"\r\n\t") {
		return false
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email {
		return false
	}
	_, domain, ok := strings.Cut(email, "@")
	return ok && domain != "" && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// checkRoleTenant validates a role and the tenant it is held in.
func checkRoleTenant(tx *gorm.DB, role Role, tenantID int64) error {
	if !role.Valid() {
		return forms.Errorf(forms.EInvalid, "Choose a role: operator, admin or viewer")
	}
	if role == RoleOperator {
		return nil
	}
	if tenantID == 0 {
		return forms.Errorf(forms.EInvalid, "An %s belongs to a tenant: choose one", role)
	}
	var n int64
	if err := tx.Model(&tenantRecord{}).Where("id = ?", tenantID).Count(&n).Error; err != nil {
		return dbError(err, "check tenant", "tenant")
	}
	if n == 0 {
		return forms.Errorf(forms.EInvalid, "The tenant does not exist")
	}
	return nil
}

// CreateUser stores a new admin user, assigns its role in casbin_rules,
// bumps the policy version and records the change in the audit log, all in
// one transaction. It returns EInvalid for a bad address, role or tenant
// and EConflict when the address is taken (compared case-insensitively).
func (s *Store) CreateUser(ctx context.Context, actor Actor, nu NewUser) (User, error) {
	email := NormalizeEmail(nu.Email)
	if !ValidEmail(email) {
		return User{}, forms.Errorf(forms.EInvalid, "Enter an email address such as ana@example.com")
	}
	if !strings.HasPrefix(nu.PasswordHash, "$") {
		return User{}, forms.Errorf(forms.EInvalid, "The password hash is missing")
	}
	var out User
	err := s.write(ctx, func(tx *gorm.DB) error {
		if err := checkRoleTenant(tx, nu.Role, nu.TenantID); err != nil {
			return err
		}
		rec := userRecord{Email: email, PasswordHash: nu.PasswordHash, Role: string(nu.Role), CreatedAt: tx.NowFunc()}
		if nu.Role != RoleOperator {
			rec.TenantID = &nu.TenantID
		}
		if err := tx.Create(&rec).Error; err != nil {
			return dbError(err, "create user", "a user with this email address")
		}
		if err := assignRole(tx, rec.ID, nu.Role, rec.TenantID); err != nil {
			return err
		}
		u, err := userByID(tx, AllTenants(), rec.ID)
		if err != nil {
			return err
		}
		out = u
		return recordAudit(tx, AuditEntry{
			ActorUserID: actor.UserID, ActorEmail: actor.Email, TenantID: u.TenantID,
			Action: "user.create", ObjectType: "user", ObjectID: strconv.FormatInt(u.ID, 10),
			After: AuditJSON(u.auditView()),
		})
	})
	return out, err
}

func userByID(tx *gorm.DB, scope Scope, id int64) (User, error) {
	var row userRow
	err := scope.where(usersQuery(tx), "admin_users.tenant_id").Where("admin_users.id = ?", id).Take(&row).Error
	if err != nil {
		return User{}, dbError(err, "get user", "user")
	}
	return row.user(), nil
}

// User returns the user with the given id if it is within scope, and
// ENotFound otherwise: a user of another tenant does not exist for the
// caller.
func (s *Store) User(ctx context.Context, scope Scope, id int64) (User, error) {
	return userByID(s.db.WithContext(ctx), scope, id)
}

// Users returns the users within scope, by tenant name then address.
func (s *Store) Users(ctx context.Context, scope Scope) ([]User, error) {
	var rows []userRow
	err := scope.where(usersQuery(s.db.WithContext(ctx)), "admin_users.tenant_id").
		Order("tenants.name IS NOT NULL, tenants.name, admin_users.email").Find(&rows).Error
	if err != nil {
		return nil, dbError(err, "list users", "user")
	}
	out := make([]User, len(rows))
	for i, r := range rows {
		out[i] = r.user()
	}
	return out, nil
}

// UserCredentials returns the user with the given address (any case) and
// its password hash, for logging in. It returns ENotFound for an unknown
// address; a disabled user is returned, and the caller refuses it.
func (s *Store) UserCredentials(ctx context.Context, email string) (User, string, error) {
	var row userRow
	err := usersQuery(s.db.WithContext(ctx)).Where("lower(admin_users.email) = ?", NormalizeEmail(email)).Take(&row).Error
	if err != nil {
		return User{}, "", dbError(err, "get user by email", "user")
	}
	return row.user(), row.Rec.PasswordHash, nil
}

// CountUsers returns how many admin users exist, disabled ones included.
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&userRecord{}).Count(&n).Error; err != nil {
		return 0, dbError(err, "count users", "user")
	}
	return n, nil
}

// UpdateUser changes the role, tenant and disabled flag of the user with
// the given id within scope, in one transaction with its role assignment,
// the policy version and the audit log; disabling a user also ends its
// sessions. It returns ENotFound for a user outside scope and EInvalid for
// a bad role or tenant.
func (s *Store) UpdateUser(ctx context.Context, actor Actor, scope Scope, id int64, up UserUpdate) (User, error) {
	var out User
	err := s.write(ctx, func(tx *gorm.DB) error {
		var rec userRecord
		if err := scope.where(tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}), "tenant_id").
			Take(&rec, "id = ?", id).Error; err != nil {
			return dbError(err, "lock user", "user")
		}
		before, err := userByID(tx, AllTenants(), id)
		if err != nil {
			return err
		}
		if err := checkRoleTenant(tx, up.Role, up.TenantID); err != nil {
			return err
		}
		var tenant *int64
		if up.Role != RoleOperator {
			tenant = &up.TenantID
		}
		if err := tx.Model(&userRecord{}).Where("id = ?", id).
			Updates(map[string]any{"role": string(up.Role), "tenant_id": tenant, "disabled": up.Disabled}).Error; err != nil {
			return dbError(err, "update user", "user")
		}
		if err := assignRole(tx, id, up.Role, tenant); err != nil {
			return err
		}
		if up.Disabled {
			if err := tx.Where("user_id = ?", id).Delete(&sessionRecord{}).Error; err != nil {
				return dbError(err, "end sessions", "session")
			}
		}
		after, err := userByID(tx, AllTenants(), id)
		if err != nil {
			return err
		}
		out = after
		tenantID := after.TenantID
		if tenantID == 0 {
			tenantID = before.TenantID
		}
		return recordAudit(tx, AuditEntry{
			ActorUserID: actor.UserID, ActorEmail: actor.Email, TenantID: tenantID,
			Action: "user.update", ObjectType: "user", ObjectID: strconv.FormatInt(id, 10),
			Before: AuditJSON(before.auditView()), After: AuditJSON(after.auditView()),
		})
	})
	return out, err
}

// SetPassword replaces the password hash of the user with the given id
// within scope and ends its sessions. The audit log records that the
// password changed, never the hash. It returns ENotFound outside scope.
func (s *Store) SetPassword(ctx context.Context, actor Actor, scope Scope, id int64, hash string) error {
	if !strings.HasPrefix(hash, "$") {
		return forms.Errorf(forms.EInvalid, "The password hash is missing")
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		u, err := userByID(tx, scope, id)
		if err != nil {
			return err
		}
		if err := tx.Model(&userRecord{}).Where("id = ?", id).Update("password_hash", hash).Error; err != nil {
			return dbError(err, "set password", "user")
		}
		if err := tx.Where("user_id = ?", id).Delete(&sessionRecord{}).Error; err != nil {
			return dbError(err, "end sessions", "session")
		}
		return recordAudit(tx, AuditEntry{
			ActorUserID: actor.UserID, ActorEmail: actor.Email, TenantID: u.TenantID,
			Action: "user.password", ObjectType: "user", ObjectID: strconv.FormatInt(id, 10),
			After: AuditJSON(map[string]any{"password": "changed"}),
		})
	})
}
