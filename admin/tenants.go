package admin

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/web"
	"websignup/storage"
)

// tenants lists every tenant (operators only, by route permission).
func (h *handlers) tenants(c *fiber.Ctx) error {
	list, err := h.Store.Tenants(c.UserContext())
	if err != nil {
		return fmt.Errorf("list tenants: %w", err)
	}
	var vm components.AdminTenantsVM
	for _, t := range list {
		ip := "—"
		if t.IParent != 0 {
			ip = strconv.FormatInt(t.IParent, 10)
		}
		vm.Tenants = append(vm.Tenants, components.AdminTenantRow{
			ID: t.ID, Name: t.Name, IParent: ip, Hostname: t.Hostname,
			EditURL: "/admin/tenants/" + strconv.FormatInt(t.ID, 10),
		})
	}
	return web.Render(c, fiber.StatusOK, components.AdminTenants(h.page(c, "Tenants"), vm))
}

func (h *handlers) renderTenantForm(c *fiber.Ctx, status int, vm components.AdminTenantFormVM) error {
	title := "Add tenant"
	if !vm.New {
		title = "Tenant " + vm.Name
	}
	return web.Render(c, status, components.AdminTenantForm(h.page(c, title), vm))
}

// newTenant shows the add-tenant form.
func (h *handlers) newTenant(c *fiber.Ctx) error {
	return h.renderTenantForm(c, fiber.StatusOK, components.AdminTenantFormVM{New: true, Action: "/admin/tenants", IParent: "0"})
}

// readTenantInput reads the tenant fields (and nothing else) and checks
// the number.
func readTenantInput(c *fiber.Ctx, vm *components.AdminTenantFormVM) forms.Tenant {
	vm.Name, vm.IParent, vm.Hostname = formValue(c, "name"), formValue(c, "i_parent"), formValue(c, "hostname")
	vm.FieldErrors = map[string]string{}
	t := forms.Tenant{Name: vm.Name, Hostname: vm.Hostname}
	if vm.Name == "" || utf8.RuneCountInString(vm.Name) > 100 {
		vm.FieldErrors["name"] = "Enter a name of at most 100 characters"
	}
	if vm.Hostname != "" && !storage.ValidHostname(strings.ToLower(vm.Hostname)) {
		vm.FieldErrors["hostname"] = "Enter a host name such as signup.example.com, or leave it empty"
	}
	if vm.IParent != "" {
		n, err := strconv.ParseInt(vm.IParent, 10, 64)
		if err != nil || n < 0 {
			vm.FieldErrors["i_parent"] = "Enter the reseller's i_customer as a whole number, or 0 for none"
		}
		t.IParent = n
	}
	return t
}

// tenantError puts a store error next to the field it is about.
func tenantError(err error, fe map[string]string) error {
	// The fields were checked before; what is left is the name's.
	switch forms.ErrorCode(err) {
	case forms.EConflict:
		fe["name"] = "Another tenant has this name"
	case forms.EInvalid:
		fe["name"] = forms.ErrorMessage(err)
	default:
		return err
	}
	return nil
}

// createTenant adds a tenant.
func (h *handlers) createTenant(c *fiber.Ctx) error {
	vm := components.AdminTenantFormVM{New: true, Action: "/admin/tenants"}
	t := readTenantInput(c, &vm)
	if len(vm.FieldErrors) == 0 {
		_, err := h.Store.AddTenant(c.UserContext(), actor(c), t)
		if err == nil {
			return redirectDone(c, "/admin/tenants", "tenant-added")
		}
		if err := tenantError(err, vm.FieldErrors); err != nil {
			return fmt.Errorf("add tenant: %w", err)
		}
	}
	vm.Errors = errorItems(vm.FieldErrors, "name", "i_parent", "hostname")
	return h.renderTenantForm(c, fiber.StatusUnprocessableEntity, vm)
}

// tenant shows the edit form of one tenant.
func (h *handlers) tenant(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	t, err := h.Store.Tenant(c.UserContext(), id)
	if err != nil {
		return err
	}
	return h.renderTenantForm(c, fiber.StatusOK, components.AdminTenantFormVM{
		Action: "/admin/tenants/" + strconv.FormatInt(id, 10),
		Name:   t.Name, IParent: strconv.FormatInt(t.IParent, 10), Hostname: t.Hostname,
	})
}

// updateTenant changes a tenant's name, i_parent and host name.
func (h *handlers) updateTenant(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if _, err := h.Store.Tenant(c.UserContext(), id); err != nil {
		return err
	}
	vm := components.AdminTenantFormVM{Action: "/admin/tenants/" + strconv.FormatInt(id, 10)}
	t := readTenantInput(c, &vm)
	if len(vm.FieldErrors) == 0 {
		_, err := h.Store.EditTenant(c.UserContext(), actor(c), id, t)
		if err == nil {
			return redirectDone(c, "/admin/tenants", "tenant-saved")
		}
		if err := tenantError(err, vm.FieldErrors); err != nil {
			return fmt.Errorf("edit tenant: %w", err)
		}
	}
	vm.Errors = errorItems(vm.FieldErrors, "name", "i_parent", "hostname")
	return h.renderTenantForm(c, fiber.StatusUnprocessableEntity, vm)
}
