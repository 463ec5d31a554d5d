package admin

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/web"
	"websignup/storage"
)

// dashboard lists the forms within the user's scope, grouped by tenant.
func (h *handlers) dashboard(c *fiber.Ctx) error {
	list, err := h.Store.FormsInScope(c.UserContext(), tenantScope(c))
	if err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	vm := components.AdminDashboardVM{ShowTenants: tenantScope(c).All()}
	for _, f := range list {
		if n := len(vm.Groups); n == 0 || vm.Groups[n-1].TenantName != f.TenantName {
			vm.Groups = append(vm.Groups, components.AdminFormGroup{TenantName: f.TenantName})
		}
		g := &vm.Groups[len(vm.Groups)-1]
		g.Forms = append(g.Forms, formRow(f))
	}
	return web.Render(c, fiber.StatusOK, components.AdminDashboard(h.page(c, "Forms"), vm))
}

func formRow(f storage.ScopedForm) components.AdminFormRow {
	row := components.AdminFormRow{
		ID: f.ID, Name: f.Name, Slug: f.Slug,
		PublicURL: components.WizardURL(f.Slug, forms.StepWelcome),
		Live:      f.Published > 0, HasDraft: f.HasDraft,
		EditURL: formURL(f.ID, "/edit"),
	}
	switch {
	case f.Published > 0 && f.HasDraft:
		row.Status = fmt.Sprintf("Live (version %d) · draft pending", f.Published)
	case f.Published > 0:
		row.Status = fmt.Sprintf("Live (version %d)", f.Published)
	case f.HasDraft:
		row.Status = "Draft, not published"
	default:
		row.Status = "Empty"
	}
	return row
}
