package admin

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/web"
)

const timeLayout = "2006-01-02 15:04 UTC"

func versionLabel(v forms.Version) string {
	return fmt.Sprintf("version %d (%s)", v.Number, v.Status)
}

func versionOptions(vs []forms.Version, selected int64) []components.AdminOption {
	out := make([]components.AdminOption, len(vs))
	for i, v := range vs {
		out[i] = components.AdminOption{Value: strconv.FormatInt(v.ID, 10), Label: "Version " + strconv.Itoa(v.Number) + " — " + string(v.Status), Selected: v.ID == selected}
	}
	return out
}

// versions lists every version of the form, newest first.
func (h *handlers) versions(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	vs, err := h.Store.Versions(c.UserContext(), ef.form.ID)
	if err != nil {
		return fmt.Errorf("list versions: %w", err)
	}
	ed := h.editorVM(c, ef, "versions")
	id := ef.form.ID
	vm := components.AdminVersionsVM{DiffURL: formURL(id, "/diff")}
	for i, v := range vs {
		row := components.AdminVersionRow{
			ID: v.ID, Number: v.Number, Status: string(v.Status), Author: v.Author,
			Created:   v.CreatedAt.Format(timeLayout),
			ExportURL: formURL(id, "/export?version="+strconv.FormatInt(v.ID, 10)),
		}
		if v.PublishedAt != nil {
			row.Published = v.PublishedAt.Format(timeLayout)
		}
		if ed.CanWrite && v.Status == forms.StatusArchived {
			row.RollbackURL = formURL(id, "/versions/"+strconv.FormatInt(v.ID, 10)+"/rollback")
		}
		if i+1 < len(vs) {
			row.DiffURL = formURL(id, fmt.Sprintf("/diff?from=%d&to=%d", vs[i+1].ID, v.ID))
		}
		vm.Versions = append(vm.Versions, row)
	}
	var from, to int64
	if len(vs) > 0 {
		to = vs[0].ID
		from = to
		if len(vs) > 1 {
			from = vs[1].ID
		}
	}
	vm.From, vm.To = versionOptions(vs, from), versionOptions(vs, to)
	return web.Render(c, fiber.StatusOK, components.AdminFormVersions(h.formPage(c, "Versions – "+ef.form.Name), ed, vm))
}

// diff shows the changes between the versions ?from and ?to, both of this
// form.
func (h *handlers) diff(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	version := func(q string) (forms.Version, error) {
		id, err := strconv.ParseInt(c.Query(q), 10, 64)
		if err != nil {
			return forms.Version{}, forms.Errorf(forms.ENotFound, "Choose two versions of this form to compare.")
		}
		return h.Store.FormVersion(ctx, ef.form.ID, id)
	}
	a, err := version("from")
	if err != nil {
		return err
	}
	b, err := version("to")
	if err != nil {
		return err
	}
	vs, err := h.Store.Versions(ctx, ef.form.ID)
	if err != nil {
		return fmt.Errorf("list versions: %w", err)
	}
	vm := components.AdminDiffVM{
		FromLabel: versionLabel(a), ToLabel: versionLabel(b),
		BackURL: formURL(ef.form.ID, "/versions"), Action: formURL(ef.form.ID, "/diff"),
		From: versionOptions(vs, a.ID), To: versionOptions(vs, b.ID),
	}
	for _, ch := range Diff(a.Config, b.Config) {
		vm.Changes = append(vm.Changes, components.AdminChange(ch))
	}
	ed := h.editorVM(c, ef, "versions")
	return web.Render(c, fiber.StatusOK, components.AdminFormDiff(h.formPage(c, "Changes – "+ef.form.Name), ed, vm))
}

// rollback publishes an earlier version's content as a new version.
func (h *handlers) rollback(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	vid, err := strconv.ParseInt(c.Params("vid"), 10, 64)
	if err != nil {
		return forms.Errorf(forms.ENotFound, "This form has no such version.")
	}
	old, err := h.Store.FormVersion(c.UserContext(), ef.form.ID, vid)
	if err != nil {
		return err
	}
	before := 0
	if ef.published != nil {
		before = ef.published.Number
	}
	v, err := h.Store.Rollback(c.UserContext(), ef.form.ID, vid, author(c))
	if err != nil {
		return err
	}
	if err := h.audit(c, ef.form.TenantID, "form.rollback", "form", strconv.FormatInt(ef.form.ID, 10),
		map[string]any{"published_version": before},
		map[string]any{"published_version": v.Number, "content_of_version": old.Number}); err != nil {
		return err
	}
	return c.Redirect(formURL(ef.form.ID, "/versions")+"?done=rolled-back", fiber.StatusSeeOther)
}
