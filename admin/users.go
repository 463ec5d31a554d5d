package admin

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/web"
	"websignup/storage"
)

// users lists the users within the signed-in user's scope.
func (h *handlers) users(c *fiber.Ctx) error {
	list, err := h.Store.Users(c.UserContext(), tenantScope(c))
	if err != nil {
		return fmt.Errorf("list users: %w", err)
	}
	me, _ := currentUser(c)
	vm := components.AdminUsersVM{CanWrite: h.can(c, ObjUsers, ActWrite), ShowTenant: tenantScope(c).All()}
	for _, u := range list {
		tenant := u.TenantName
		if u.Role == storage.RoleOperator {
			tenant = "All tenants"
		}
		vm.Users = append(vm.Users, components.AdminUserRow{
			ID: u.ID, Email: u.Email, Role: string(u.Role), Tenant: tenant,
			Created: u.CreatedAt.Format("2 Jan 2006"), Disabled: u.Disabled,
			EditURL: "/admin/users/" + strconv.FormatInt(u.ID, 10), Self: u.ID == me.ID,
		})
	}
	return web.Render(c, fiber.StatusOK, components.AdminUsers(h.page(c, "Users"), vm))
}

// assignableRoles are the roles the signed-in user may give: any for an
// operator, admin or viewer for a tenant's admin.
func assignableRoles(c *fiber.Ctx) []storage.Role {
	if tenantScope(c).All() {
		return storage.Roles
	}
	return []storage.Role{storage.RoleAdmin, storage.RoleViewer}
}

func roleOptions(c *fiber.Ctx, selected storage.Role) []components.AdminOption {
	var out []components.AdminOption
	for _, r := range assignableRoles(c) {
		out = append(out, components.AdminOption{Value: string(r), Label: roleLabel(r), Selected: r == selected})
	}
	return out
}

func roleLabel(r storage.Role) string {
	switch r {
	case storage.RoleOperator:
		return "Operator (every tenant)"
	case storage.RoleAdmin:
		return "Admin"
	case storage.RoleViewer:
		return "Viewer (read only)"
	}
	return string(r)
}

// tenantOptions is the tenant choice of an operator's user form; nil for
// anyone else, whose users always belong to their own tenant.
func (h *handlers) tenantOptions(c *fiber.Ctx, selected int64) ([]components.AdminOption, error) {
	if !tenantScope(c).All() {
		return nil, nil
	}
	list, err := h.Store.Tenants(c.UserContext())
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	out := []components.AdminOption{{Value: "", Label: "None (operators only)", Selected: selected == 0}}
	for _, t := range list {
		out = append(out, components.AdminOption{Value: strconv.FormatInt(t.ID, 10), Label: t.Name, Selected: t.ID == selected})
	}
	return out, nil
}

// userInput is what a user form may set, read field by field.
type userInput struct {
	email, password string
	role            storage.Role
	tenantID        int64
	disabled        bool
}

// readUserInput reads the posted fields the signed-in user is allowed to
// set and checks them; anything else in the body is ignored. A tenant's
// admin always acts in their own tenant, whatever tenant_id says, and may
// not hand out the operator role.
func readUserInput(c *fiber.Ctx, isNew bool) (userInput, map[string]string) {
	fe := map[string]string{}
	in := userInput{role: storage.Role(formValue(c, "role")), disabled: formValue(c, "disabled") == "1"}
	in.password = c.FormValue("password") // not trimmed: spaces may be part of it
	if isNew {
		in.email = storage.NormalizeEmail(formValue(c, "email"))
		if !storage.ValidEmail(in.email) {
			fe["email"] = "Enter an email address such as ana@example.com"
		}
	}
	if isNew || in.password != "" {
		if err := ValidatePassword(in.password); err != nil {
			fe["password"] = forms.ErrorMessage(err)
		}
	}
	allowed := false
	for _, r := range assignableRoles(c) {
		allowed = allowed || r == in.role
	}
	if !allowed {
		if tenantScope(c).All() {
			fe["role"] = "Choose operator, admin or viewer"
		} else {
			fe["role"] = "Choose admin or viewer"
		}
	}
	if tenantScope(c).All() {
		if in.role != storage.RoleOperator {
			id, err := strconv.ParseInt(formValue(c, "tenant_id"), 10, 64)
			if err != nil || id <= 0 {
				fe["tenant_id"] = "Choose the tenant an admin or viewer belongs to"
			}
			in.tenantID = id
		}
	} else {
		in.tenantID = tenantScope(c).TenantID()
	}
	return in, fe
}

// newUser shows the add-user form.
func (h *handlers) newUser(c *fiber.Ctx) error {
	return h.renderUserForm(c, fiber.StatusOK, components.AdminUserFormVM{New: true}, storage.RoleViewer, 0)
}

func (h *handlers) renderUserForm(c *fiber.Ctx, status int, vm components.AdminUserFormVM, role storage.Role, tenantID int64) error {
	vm.Roles = roleOptions(c, role)
	if !vm.ReadOnly {
		tenants, err := h.tenantOptions(c, tenantID)
		if err != nil {
			return err
		}
		vm.Tenants = tenants
	}
	if vm.Tenants == nil && vm.TenantName == "" {
		if me, _ := currentUser(c); me.TenantName != "" && vm.New {
			vm.TenantName = me.TenantName
		}
	}
	title := "Add user"
	if vm.New {
		vm.Action = "/admin/users"
	} else {
		title = "User " + vm.Email
	}
	return web.Render(c, status, components.AdminUserForm(h.page(c, title), vm))
}

// createUser adds a user in the signed-in user's tenant (or, for an
// operator, the chosen one).
func (h *handlers) createUser(c *fiber.Ctx) error {
	in, fe := readUserInput(c, true)
	vm := components.AdminUserFormVM{New: true, Email: in.email, FieldErrors: fe}
	if len(fe) == 0 {
		_, err := h.Store.CreateUser(c.UserContext(), actor(c), storage.NewUser{
			Email: in.email, PasswordHash: HashPassword(in.password), Role: in.role, TenantID: in.tenantID,
		})
		switch forms.ErrorCode(err) {
		case "":
			if err := h.Enforcer.Reload(c.UserContext()); err != nil {
				return err
			}
			return redirectDone(c, "/admin/users", "user-added")
		case forms.EConflict:
			fe["email"] = "A user with this email address exists already"
		case forms.EInvalid:
			fe["role"] = forms.ErrorMessage(err)
		default:
			return fmt.Errorf("add user: %w", err)
		}
	}
	vm.Errors = errorItems(fe, "email", "password", "role", "tenant_id")
	return h.renderUserForm(c, fiber.StatusUnprocessableEntity, vm, in.role, in.tenantID)
}

// loadUser returns the user named by :id within the signed-in user's
// scope; a user of another tenant is not found.
func (h *handlers) loadUser(c *fiber.Ctx) (storage.User, error) {
	id, err := idParam(c)
	if err != nil {
		return storage.User{}, err
	}
	u, err := h.Store.User(c.UserContext(), tenantScope(c), id)
	if forms.ErrorCode(err) == forms.ENotFound {
		return storage.User{}, forms.Errorf(forms.ENotFound, "There is no such user.")
	}
	return u, err
}

func userFormVM(c *fiber.Ctx, u storage.User, canWrite bool) components.AdminUserFormVM {
	me, _ := currentUser(c)
	self := me.ID == u.ID
	return components.AdminUserFormVM{
		Action: "/admin/users/" + strconv.FormatInt(u.ID, 10), Email: u.Email,
		Disabled: u.Disabled, Self: self, ReadOnly: self || !canWrite, TenantName: u.TenantName,
	}
}

// user shows one user: a form to change them, or their details when the
// signed-in user may not (or it is themselves).
func (h *handlers) user(c *fiber.Ctx) error {
	u, err := h.loadUser(c)
	if err != nil {
		return err
	}
	vm := userFormVM(c, u, h.can(c, ObjUsers, ActWrite))
	if vm.ReadOnly {
		// Show the user's real role even when the viewer could not assign it.
		vm.Roles = []components.AdminOption{{Value: string(u.Role), Label: roleLabel(u.Role), Selected: true}}
		return web.Render(c, fiber.StatusOK, components.AdminUserForm(h.page(c, "User "+u.Email), vm))
	}
	return h.renderUserForm(c, fiber.StatusOK, vm, u.Role, u.TenantID)
}

// errSelf refuses changes to one's own account, so nobody locks
// themselves (or the last operator) out by mistake.
var errSelf = forms.Errorf(forms.EForbidden, "You can't change your own role or disable yourself; ask another admin.")

// updateUser changes a user's role, tenant (operators only), disabled flag
// and, when given, password.
func (h *handlers) updateUser(c *fiber.Ctx) error {
	u, err := h.loadUser(c)
	if err != nil {
		return err
	}
	if me, _ := currentUser(c); me.ID == u.ID {
		return errSelf
	}
	in, fe := readUserInput(c, false)
	if len(fe) == 0 {
		_, err = h.Store.UpdateUser(c.UserContext(), actor(c), tenantScope(c), u.ID,
			storage.UserUpdate{Role: in.role, TenantID: in.tenantID, Disabled: in.disabled})
		if err == nil && in.password != "" {
			err = h.Store.SetPassword(c.UserContext(), actor(c), tenantScope(c), u.ID, HashPassword(in.password))
		}
		var fErr *forms.Error
		switch {
		case err == nil:
			if err := h.Enforcer.Reload(c.UserContext()); err != nil {
				return err
			}
			return redirectDone(c, "/admin/users", "user-saved")
		case errors.As(err, &fErr) && fErr.Code == forms.EInvalid:
			fe["role"] = fErr.Message
		default:
			return fmt.Errorf("update user: %w", err)
		}
	}
	vm := userFormVM(c, u, true)
	vm.Disabled, vm.FieldErrors = in.disabled, fe
	vm.Errors = errorItems(fe, "role", "tenant_id", "password")
	return h.renderUserForm(c, fiber.StatusUnprocessableEntity, vm, in.role, in.tenantID)
}
