package admin

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/web"
	"websignup/storage"
)

// navItem is one entry of the admin navigation and the permission that
// shows it.
type navItem struct {
	key, label, url, prefix string
	obj                     string
}

// nav is the admin navigation, in order. The form builder adds its pages
// under /admin/forms/ (the Forms entry) and /admin/submissions.
var nav = []navItem{
	{"forms", "Forms", "/admin/forms", "/admin/forms", ObjForms},
	{"submissions", "Submissions", "/admin/submissions", "/admin/submissions", ObjSubmissions},
	{"users", "Users", "/admin/users", "/admin/users", ObjUsers},
	{"tenants", "Tenants", "/admin/tenants", "/admin/tenants", ObjTenants},
	{"audit", "Audit log", "/admin/audit", "/admin/audit", ObjAudit},
}

// page builds the admin layout's view model for this request: the title,
// the signed-in user and tenant, the navigation entries their role may
// read (the current one marked), the CSRF token and the flash message
// named by the "done" query parameter.
func (h *handlers) page(c *fiber.Ctx, title string) components.AdminPage {
	p := components.AdminPage{Title: title, CSRFToken: web.CSRFToken(c), Flash: flashMessage(c.Query("done"))}
	u, ok := currentUser(c)
	if !ok {
		return p
	}
	p.SignedIn, p.UserEmail, p.Role = true, u.Email, string(u.Role)
	p.TenantName = u.TenantName
	if u.Role == storage.RoleOperator {
		p.TenantName = "All tenants"
	}
	path := c.Path()
	for _, n := range nav {
		if !h.can(c, n.obj, ActRead) {
			continue
		}
		current := path == n.url || strings.HasPrefix(path, n.prefix+"/") || path == n.prefix
		p.Nav = append(p.Nav, components.AdminNavItem{Key: n.key, Label: n.label, URL: n.url, Current: current})
	}
	return p
}

// flashes are the confirmations a redirect after a change may ask for with
// ?done=KEY; only these fixed texts are ever shown, never the parameter.
var flashes = map[string]string{
	"user-added":     "User added.",
	"user-saved":     "Changes to the user saved.",
	"tenant-added":   "Tenant added.",
	"tenant-saved":   "Changes to the tenant saved.",
	"password-reset": "Password changed. They were signed out everywhere.",
}

func flashMessage(key string) string { return flashes[key] }

// actor is the signed-in user as the audit log records them.
func actor(c *fiber.Ctx) storage.Actor {
	u, _ := currentUser(c)
	return storage.Actor{UserID: u.ID, Email: u.Email}
}

// audit records a change made by the signed-in user to an object of the
// given tenant (0 for none): the action (e.g. "form.publish"), the
// object's type and id, and the object before and after (any value
// encoding/json accepts; nil for nothing). Storage methods that change
// users and tenants record their own entries in the same transaction; use
// audit for changes made elsewhere.
func (h *handlers) audit(c *fiber.Ctx, tenantID int64, action, objType, objID string, before, after any) error {
	a := actor(c)
	err := h.Store.RecordAudit(c.UserContext(), storage.AuditEntry{
		ActorUserID: a.UserID, ActorEmail: a.Email, TenantID: tenantID,
		Action: action, ObjectType: objType, ObjectID: objID,
		Before: storage.AuditJSON(before), After: storage.AuditJSON(after),
	})
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// idParam returns the route's :id as a positive number; anything else is
// reported as not found, like an id that does not exist.
func idParam(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, forms.Errorf(forms.ENotFound, "There is nothing at this address.")
	}
	return id, nil
}

// formValue returns the trimmed value of one posted field, copied out of
// Fiber's buffers. Handlers read only the fields they expect, by name, so
// extra fields (tenant_id, id, role from someone not allowed to set it)
// are never bound to anything.
func formValue(c *fiber.Ctx, key string) string {
	return strings.TrimSpace(strings.Clone(c.FormValue(key)))
}

// errorItems turns field errors into the error summary's entries, in the
// order of keys.
func errorItems(fe map[string]string, keys ...string) []components.ErrorItemVM {
	var items []components.ErrorItemVM
	for _, k := range keys {
		if m := fe[k]; m != "" {
			items = append(items, components.ErrorItemVM{Key: k, Message: m})
		}
	}
	return items
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// redirectDone redirects after a successful change, naming the
// confirmation to show (see flashes).
func redirectDone(c *fiber.Ctx, path, done string) error {
	return c.Redirect(path+"?done="+url.QueryEscape(done), fiber.StatusSeeOther)
}
