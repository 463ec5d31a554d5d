package components

// AdminProduct is the admin area's product name, in its top bar and titles.
const AdminProduct = "websignup admin"

// AdminPage is what the admin layout needs around every page: the title,
// who is signed in, the navigation they may use, and the page's CSRF token
// (the logout button posts it).
type AdminPage struct {
	Title string
	// SignedIn is false on the login page: no user, no navigation.
	SignedIn   bool
	UserEmail  string
	Role       string // operator, admin or viewer
	TenantName string // "All tenants" for an operator
	Nav        []AdminNavItem
	CSRFToken  string
	// Flash is a short confirmation after a change ("User added"); may be "".
	Flash string
}

// AdminNavItem is one entry of the admin navigation.
type AdminNavItem struct {
	Key     string // stable name, e.g. "users"; data-testid is "nav-"+Key
	Label   string
	URL     string
	Current bool
}

// AdminLoginVM is the sign-in form.
type AdminLoginVM struct {
	Email  string
	Next   string // where to go after signing in; "" for the dashboard
	Errors []ErrorItemVM
	// FieldErrors holds the message per field key ("email", "password").
	FieldErrors map[string]string
	Notice      string // e.g. "You have signed out."
}

// AdminDashboardVM lists the forms the user may see, grouped by tenant.
type AdminDashboardVM struct {
	Groups []AdminFormGroup
	// ShowTenants is true for an operator, whose forms span tenants.
	ShowTenants bool
}

// AdminFormGroup is one tenant's forms.
type AdminFormGroup struct {
	TenantName string
	Forms      []AdminFormRow
}

// AdminFormRow is one form in a list.
type AdminFormRow struct {
	ID        int64
	Name      string
	Slug      string
	PublicURL string // the wizard's start, e.g. /s/demo/
	EditURL   string // "" until the form builder exists
	Status    string // e.g. "Published (version 3)", "Draft only"
	Live      bool
	HasDraft  bool
}

// AdminUsersVM is the users list.
type AdminUsersVM struct {
	Users      []AdminUserRow
	CanWrite   bool
	ShowTenant bool
}

// AdminUserRow is one user in the list.
type AdminUserRow struct {
	ID       int64
	Email    string
	Role     string
	Tenant   string
	Created  string
	Disabled bool
	EditURL  string
	Self     bool
}

// AdminOption is one choice of a select.
type AdminOption struct {
	Value    string
	Label    string
	Selected bool
}

// AdminUserFormVM is the add-user and edit-user form.
type AdminUserFormVM struct {
	New    bool
	Action string
	// ReadOnly shows the user without the means to change it (a viewer,
	// or the signed-in user looking at themselves).
	ReadOnly bool
	Self     bool
	Email    string
	Roles    []AdminOption
	// Tenants is offered to operators only; nil hides the choice.
	Tenants     []AdminOption
	TenantName  string // shown when Tenants is nil
	Disabled    bool
	Errors      []ErrorItemVM
	FieldErrors map[string]string
}

// AdminTenantsVM is the tenants list.
type AdminTenantsVM struct {
	Tenants []AdminTenantRow
}

// AdminTenantRow is one tenant in the list.
type AdminTenantRow struct {
	ID       int64
	Name     string
	IParent  string // "—" when none
	Hostname string
	EditURL  string
}

// AdminTenantFormVM is the add-tenant and edit-tenant form.
type AdminTenantFormVM struct {
	New         bool
	Action      string
	Name        string
	IParent     string
	Hostname    string
	Errors      []ErrorItemVM
	FieldErrors map[string]string
}

// AdminAuditVM is a page of the audit log with its filter.
type AdminAuditVM struct {
	Entries []AdminAuditRow
	Actor   string
	Action  string
	Object  string
	Actions []AdminOption
	Total   int64
	From    int64 // 1-based number of the first entry shown
	To      int64
	PrevURL string // "" on the first page
	NextURL string // "" on the last page
}

// AdminAuditRow is one audit entry.
type AdminAuditRow struct {
	At       string // UTC, "2006-01-02 15:04:05"
	ISOAt    string // RFC 3339 for the time element
	Actor    string
	Action   string
	Object   string // e.g. "user 12"
	TenantID string
	Changes  []AdminAuditChange
}

// AdminAuditChange is one attribute of the object before and after.
type AdminAuditChange struct {
	Key     string
	Before  string // "" when it did not exist
	After   string // "" when it no longer exists
	Changed bool
}

// adminFieldError returns the message for key, or "".
func adminFieldError(m map[string]string, key string) string { return m[key] }

// adminDescribedBy links an input to its help and error texts.
func adminDescribedBy(key string, help bool, m map[string]string) string {
	s := ""
	if help {
		s = FieldID(key) + "-help"
	}
	if m[key] != "" {
		if s != "" {
			s += " "
		}
		s += FieldID(key) + "-error"
	}
	return s
}
