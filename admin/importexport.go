package admin

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/web"
)

// EncodeConfig writes a configuration as the JSON document import reads
// back: indented, with a final newline, so that it diffs well in git.
func EncodeConfig(cfg forms.Config) ([]byte, error) {
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode configuration: %w", err)
	}
	return append(b, '\n'), nil
}

// export downloads a version of the form as JSON: ?version=published
// (the default), draft, or a version id of this form.
func (h *handlers) export(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	var v *forms.Version
	switch q := c.Query("version", "published"); q {
	case "published":
		v = ef.published
	case "draft":
		v = ef.draft
	default:
		id, err := strconv.ParseInt(q, 10, 64)
		if err != nil {
			return forms.Errorf(forms.ENotFound, "This form has no such version.")
		}
		found, err := h.Store.FormVersion(c.UserContext(), ef.form.ID, id)
		if err != nil {
			return err
		}
		v = &found
	}
	if v == nil {
		return forms.Errorf(forms.ENotFound, "This form has no such version.")
	}
	body, err := EncodeConfig(v.Config)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	// The slug is lower-case letters, digits and hyphens only, so the
	// file name needs no quoting beyond the quotes.
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s-v%d.json"`, ef.form.Slug, v.Number))
	return c.Send(body)
}

// importPage shows the upload form.
func (h *handlers) importPage(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	ed := h.editorVM(c, ef, "versions")
	vm := components.AdminImportVM{Action: formURL(ef.form.ID, "/import")}
	return web.Render(c, fiber.StatusOK, components.AdminFormImport(h.formPage(c, "Import – "+ef.form.Name), ed, vm))
}

// importConfig reads an uploaded JSON configuration, validates it
// completely and makes it the draft (and publishes it when asked), or
// shows every problem (422) and changes nothing.
func (h *handlers) importConfig(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	ed := h.editorVM(c, ef, "versions")
	vm := components.AdminImportVM{Action: formURL(ef.form.ID, "/import"), Publish: formValue(c, "publish") != ""}
	fh, err := c.FormFile("file")
	if err != nil || fh.Size == 0 {
		addInputError(&ed, "file", "Choose a JSON file, as “Download” gives it")
	} else if fh.Size > forms.MaxConfigSize {
		addInputError(&ed, "file", fmt.Sprintf("The file is larger than %d KiB", forms.MaxConfigSize>>10))
	} else {
		f, err := fh.Open()
		if err != nil {
			return fmt.Errorf("open upload: %w", err)
		}
		data, err := io.ReadAll(io.LimitReader(f, forms.MaxConfigSize+1))
		_ = f.Close()
		if err != nil {
			return fmt.Errorf("read upload: %w", err)
		}
		cfg, err := forms.DecodeConfig(data)
		if err == nil {
			v, err := h.Store.ImportConfig(c.UserContext(), ef.form.ID, cfg, author(c), vm.Publish)
			if err == nil {
				action, done := "form.import", "imported"
				if vm.Publish {
					action, done = "form.import_publish", "imported-live"
				}
				if err := h.audit(c, ef.form.TenantID, action, "form", strconv.FormatInt(ef.form.ID, 10),
					map[string]any{"working_copy": ef.cfg}, map[string]any{"version": v.Number, "status": v.Status, "config": cfg}); err != nil {
					return err
				}
				return c.Redirect(formURL(ef.form.ID, "/versions")+"?done="+done, fiber.StatusSeeOther)
			}
		}
		ve, ok := validationErrors(err)
		if !ok {
			return fmt.Errorf("import: %w", err)
		}
		for _, e := range ve {
			vm.Problems = append(vm.Problems, components.AdminImportProblem{Path: e.Path, Message: e.Message})
		}
		addInputError(&ed, "file", fmt.Sprintf("The file has %d problem(s), listed below; nothing was changed", len(ve)))
	}
	return web.Render(c, fiber.StatusUnprocessableEntity, components.AdminFormImport(h.formPage(c, "Import – "+ef.form.Name), ed, vm))
}
