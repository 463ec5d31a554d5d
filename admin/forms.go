package admin

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/web"
	"websignup/storage"
)

// This file holds the form builder's list, its create page and what every
// editor page shares: loading a form within the session's tenant scope,
// the working configuration, the editor's view model, and saving a
// section to the draft with its validation errors mapped to inputs.

// formFlashes are the confirmations the form builder's redirects name with
// ?done=KEY; only these fixed texts are ever shown.
var formFlashes = map[string]string{
	"form-created":   "Form created. Its draft is a copy; change it, preview it, then publish.",
	"published":      "Published. The public site serves this version now.",
	"rolled-back":    "Published again as a new version. The public site serves it now.",
	"imported":       "Imported as the draft. Preview it, then publish.",
	"imported-live":  "Imported and published. The public site serves it now.",
	"settings-saved": "Settings saved.",
}

// formPage is the admin layout's view model with the form builder's flash.
func (h *handlers) formPage(c *fiber.Ctx, title string) components.AdminPage {
	p := h.page(c, title)
	if m := formFlashes[c.Query("done")]; m != "" {
		p.Flash = m
	}
	return p
}

// formURL is the address of a page of a form in the admin area.
func formURL(id int64, rest string) string {
	return "/admin/forms/" + strconv.FormatInt(id, 10) + rest
}

// editorForm is a form as the editor works on it: the form, its draft and
// published versions (either may be nil) and the working configuration
// (the draft's, else the published one's).
type editorForm struct {
	form      forms.Form
	draft     *forms.Version
	published *forms.Version
	cfg       forms.Config
}

// loadForm loads the form named by :id within the session's tenant scope:
// another tenant's form, like a missing one, is ENotFound.
func (h *handlers) loadForm(c *fiber.Ctx) (*editorForm, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	ctx := c.UserContext()
	f, err := h.Store.FormInScope(ctx, tenantScope(c), id)
	if err != nil {
		return nil, err
	}
	draft, published, err := h.Store.DraftAndPublished(ctx, f.ID)
	if err != nil {
		return nil, fmt.Errorf("load form %d: %w", f.ID, err)
	}
	ef := &editorForm{form: f, draft: draft, published: published}
	switch {
	case draft != nil:
		ef.cfg = draft.Config
	case published != nil:
		ef.cfg = published.Config
	default:
		// A form made outside the builder may have no version yet: it
		// starts from the demo, which validates.
		ef.cfg = forms.DemoConfig()
	}
	return ef, nil
}

// author is how versions record the signed-in user.
func author(c *fiber.Ctx) string {
	u, _ := currentUser(c)
	return u.Email
}

// sections of the draft editor, in tab order.
var sections = []struct{ key, label string }{
	{"branding", "Branding"},
	{"fields", "Address fields"},
	{"plans", "Plans"},
	{"pools", "Number pools"},
	{"devices", "Devices"},
	{"settings", "Settings"},
}

func sectionLabel(key string) string {
	for _, s := range sections {
		if s.key == key {
			return s.label
		}
	}
	return "Form"
}

// sectionOf is the editor section a validation path belongs to.
func sectionOf(path string) string {
	switch {
	case strings.HasPrefix(path, "branding"):
		return "branding"
	case strings.HasPrefix(path, "fields"):
		return "fields"
	case strings.HasPrefix(path, "products"):
		return "plans"
	case strings.HasPrefix(path, "pools"):
		return "pools"
	case strings.HasPrefix(path, "devices"), path == "allow_byod":
		return "devices"
	case path == "i_parent":
		return "settings"
	}
	return ""
}

// status says where a form stands.
func (ef *editorForm) status() string {
	switch {
	case ef.draft != nil && ef.published != nil:
		return fmt.Sprintf("Live: version %d · draft version %d not published", ef.published.Number, ef.draft.Number)
	case ef.published != nil:
		return fmt.Sprintf("Live: version %d · no changes", ef.published.Number)
	case ef.draft != nil:
		return fmt.Sprintf("Draft version %d · not published yet", ef.draft.Number)
	}
	return "Empty"
}

// editorVM builds what every editor page shares. The counts on the tabs
// come from validating the working configuration.
func (h *handlers) editorVM(c *fiber.Ctx, ef *editorForm, section string) components.AdminEditorVM {
	id := ef.form.ID
	vm := components.AdminEditorVM{
		FormID:      id,
		Name:        ef.form.Name,
		Slug:        ef.form.Slug,
		PublicURL:   components.WizardURL(ef.form.Slug, forms.StepWelcome),
		Status:      ef.status(),
		Live:        ef.published != nil,
		HasDraft:    ef.draft != nil,
		CanWrite:    h.can(c, ObjForms, ActWrite),
		Section:     section,
		FieldErrors: map[string]string{},
		Saved:       c.Query("saved") == "1",
		PreviewURL:  formURL(id, "/preview/"),
		VersionsURL: formURL(id, "/versions"),
		PublishURL:  formURL(id, "/publish"),
		ExportURL:   formURL(id, "/export"),
		ImportURL:   formURL(id, "/import"),
		CSRFToken:   web.CSRFToken(c),
	}
	counts := map[string]int{}
	if err := ef.cfg.Validate(); err != nil {
		var ve forms.ValidationErrors
		if errors.As(err, &ve) {
			for _, e := range ve {
				counts[sectionOf(e.Path)]++
			}
		}
	}
	for _, s := range sections {
		vm.Sections = append(vm.Sections, components.AdminFormSection{
			Key: s.key, Label: s.label, URL: formURL(id, "/edit/"+s.key),
			Current: s.key == section, Errors: counts[s.key],
		})
	}
	return vm
}

// inputMapper maps a validation path of the section to the name of the
// input that caused it; "" leaves the problem for the summary only.
type inputMapper func(path string) string

// applyErrors puts validation errors next to their inputs: those of this
// section into FieldErrors and the summary, the others into Elsewhere.
func applyErrors(vm *components.AdminEditorVM, ve forms.ValidationErrors, section string, mapInput inputMapper) {
	for _, e := range ve {
		s := sectionOf(e.Path)
		if s != section && s != "" {
			vm.Elsewhere = append(vm.Elsewhere, components.AdminElsewhereError{
				Section: sectionLabel(s), URL: formURL(vm.FormID, "/edit/"+s), Message: e.String(),
			})
			continue
		}
		name := mapInput(e.Path)
		if name != "" && vm.FieldErrors[name] == "" {
			vm.FieldErrors[name] = e.Message
		}
		key := name
		if key == "" {
			key = "main"
		}
		vm.Errors = append(vm.Errors, components.ErrorItemVM{Key: key, Message: e.Message})
	}
}

// addInputError records a problem the handler found before validating.
func addInputError(vm *components.AdminEditorVM, name, msg string) {
	if vm.FieldErrors[name] == "" {
		vm.FieldErrors[name] = msg
		vm.Errors = append(vm.Errors, components.ErrorItemVM{Key: name, Message: msg})
	}
}

// saveDraft saves cfg as the form's draft and records the section's
// change in the audit log. It returns the ValidationErrors of a broken
// configuration (nothing is saved then).
func (h *handlers) saveDraft(c *fiber.Ctx, ef *editorForm, cfg forms.Config, section string, before, after any) error {
	v, err := h.Store.SaveDraft(c.UserContext(), ef.form.ID, cfg, author(c))
	if err != nil {
		return err
	}
	return h.audit(c, ef.form.TenantID, "form.draft."+section, "form", strconv.FormatInt(ef.form.ID, 10),
		map[string]any{section: before}, map[string]any{section: after, "version": v.Number})
}

// validationErrors returns the list inside err, if it is one.
func validationErrors(err error) (forms.ValidationErrors, bool) {
	var ve forms.ValidationErrors
	if errors.As(err, &ve) {
		return ve, true
	}
	return nil, false
}

// savedRedirect sends the browser back to the section after a save.
func savedRedirect(c *fiber.Ctx, ef *editorForm, path string) error {
	return c.Redirect(formURL(ef.form.ID, path)+"?saved=1", fiber.StatusSeeOther)
}

// formsList lists the forms within the user's scope.
func (h *handlers) formsList(c *fiber.Ctx) error {
	list, err := h.Store.FormsInScope(c.UserContext(), tenantScope(c))
	if err != nil {
		return fmt.Errorf("list forms: %w", err)
	}
	vm := components.AdminFormsVM{ShowTenants: tenantScope(c).All(), CanWrite: h.can(c, ObjForms, ActWrite)}
	for _, f := range list {
		if n := len(vm.Groups); n == 0 || vm.Groups[n-1].TenantName != f.TenantName {
			vm.Groups = append(vm.Groups, components.AdminFormGroup{TenantName: f.TenantName})
		}
		g := &vm.Groups[len(vm.Groups)-1]
		row := formRow(f)
		row.EditURL = formURL(f.ID, "/edit")
		g.Forms = append(g.Forms, row)
	}
	return web.Render(c, fiber.StatusOK, components.AdminForms(h.formPage(c, "Forms"), vm))
}

// newFormVM offers the demo and every form within scope to start from.
func (h *handlers) newFormVM(c *fiber.Ctx, from string, tenant string) (components.AdminNewFormVM, error) {
	scope := tenantScope(c)
	list, err := h.Store.FormsInScope(c.UserContext(), scope)
	if err != nil {
		return components.AdminNewFormVM{}, fmt.Errorf("list forms: %w", err)
	}
	vm := components.AdminNewFormVM{FieldErrors: map[string]string{}}
	vm.From = append(vm.From, components.AdminOption{Value: "demo", Label: "The demo form (Northwind Telecom)", Selected: from == "" || from == "demo"})
	for _, f := range list {
		v := strconv.FormatInt(f.ID, 10)
		label := "A copy of “" + f.Name + "” (/s/" + f.Slug + "/)"
		if scope.All() {
			label += " — " + f.TenantName
		}
		vm.From = append(vm.From, components.AdminOption{Value: v, Label: label, Selected: from == v})
	}
	if scope.All() {
		tenants, err := h.Store.Tenants(c.UserContext())
		if err != nil {
			return vm, fmt.Errorf("list tenants: %w", err)
		}
		vm.Tenants = []components.AdminOption{}
		for _, t := range tenants {
			v := strconv.FormatInt(t.ID, 10)
			vm.Tenants = append(vm.Tenants, components.AdminOption{Value: v, Label: t.Name, Selected: tenant == v})
		}
	}
	return vm, nil
}

// newForm shows the create-form page.
func (h *handlers) newForm(c *fiber.Ctx) error {
	vm, err := h.newFormVM(c, c.Query("from"), "")
	if err != nil {
		return err
	}
	return web.Render(c, fiber.StatusOK, components.AdminNewForm(h.formPage(c, "New form"), vm))
}

// createForm makes a form in the user's tenant (an operator picks one)
// whose draft is a copy of the demo or of a form within scope. Only slug,
// name, from and (for an operator) tenant are read.
func (h *handlers) createForm(c *fiber.Ctx) error {
	ctx := c.UserContext()
	scope := tenantScope(c)
	slug, name, from, tenant := formValue(c, "slug"), formValue(c, "name"), formValue(c, "from"), formValue(c, "tenant")
	vm, err := h.newFormVM(c, from, tenant)
	if err != nil {
		return err
	}
	vm.Slug, vm.Name = slug, name
	fe := vm.FieldErrors
	if name == "" || len([]rune(name)) > 100 {
		fe["name"] = "Enter a name of at most 100 characters"
	}
	if !storage.ValidSlug(slug) {
		fe["slug"] = "Use 1 to 63 lower-case letters, digits or hyphens, not starting or ending with a hyphen"
	}
	var tenantID int64
	if scope.All() {
		tenantID, _ = strconv.ParseInt(tenant, 10, 64)
		if _, err := h.Store.Tenant(ctx, tenantID); err != nil || tenantID <= 0 {
			fe["tenant"] = "Choose a tenant"
		}
	} else {
		tenantID = scope.TenantID()
	}
	cfg := forms.DemoConfig()
	if from != "" && from != "demo" {
		src, err := h.sourceConfig(c, from)
		if err != nil {
			fe["from"] = "Choose one of the forms in the list"
		} else {
			cfg = src
		}
	}
	if len(fe) == 0 {
		if t, err := h.Store.Tenant(ctx, tenantID); err == nil && (from == "" || from == "demo") {
			// The demo's reseller is the demo operator's: a copy of it
			// goes under this tenant's reseller instead.
			cfg.IParent = t.IParent
		}
		f, v, err := h.Store.CreateFormWithDraft(ctx, forms.Form{TenantID: tenantID, Slug: slug, Name: name}, cfg, author(c))
		switch {
		case err == nil:
			if err := h.audit(c, tenantID, "form.create", "form", strconv.FormatInt(f.ID, 10), nil,
				map[string]any{"slug": f.Slug, "name": f.Name, "from": from, "version": v.Number}); err != nil {
				return err
			}
			return c.Redirect(formURL(f.ID, "/edit/branding")+"?done=form-created", fiber.StatusSeeOther)
		case forms.ErrorCode(err) == forms.EConflict:
			fe["slug"] = "Another form already uses this address"
		case forms.ErrorCode(err) == forms.EInvalid:
			fe["slug"] = forms.ErrorMessage(err)
		default:
			return fmt.Errorf("create form: %w", err)
		}
	}
	vm.Errors = errorItems(fe, "name", "slug", "tenant", "from")
	return web.Render(c, fiber.StatusUnprocessableEntity, components.AdminNewForm(h.formPage(c, "New form"), vm))
}

// sourceConfig is the configuration of the form named by from, within the
// user's scope: its draft, else its published version.
func (h *handlers) sourceConfig(c *fiber.Ctx, from string) (forms.Config, error) {
	id, err := strconv.ParseInt(from, 10, 64)
	if err != nil {
		return forms.Config{}, forms.Errorf(forms.ENotFound, "no such form")
	}
	ctx := c.UserContext()
	f, err := h.Store.FormInScope(ctx, tenantScope(c), id)
	if err != nil {
		return forms.Config{}, err
	}
	draft, published, err := h.Store.DraftAndPublished(ctx, f.ID)
	switch {
	case err != nil:
		return forms.Config{}, err
	case draft != nil:
		return draft.Config, nil
	case published != nil:
		return published.Config, nil
	}
	return forms.Config{}, forms.Errorf(forms.ENotFound, "the form is empty")
}

// formHome sends /admin/forms/:id and /admin/forms/:id/edit to the first
// section.
func (h *handlers) formHome(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	return c.Redirect(formURL(ef.form.ID, "/edit/branding"), fiber.StatusSeeOther)
}

// publishForm makes the draft the live version.
func (h *handlers) publishForm(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	before := 0
	if ef.published != nil {
		before = ef.published.Number
	}
	v, err := h.Store.Publish(c.UserContext(), ef.form.ID, author(c))
	if err != nil {
		return err
	}
	if err := h.audit(c, ef.form.TenantID, "form.publish", "form", strconv.FormatInt(ef.form.ID, 10),
		map[string]any{"published_version": before}, map[string]any{"published_version": v.Number}); err != nil {
		return err
	}
	return c.Redirect(formURL(ef.form.ID, "/versions")+"?done=published", fiber.StatusSeeOther)
}
