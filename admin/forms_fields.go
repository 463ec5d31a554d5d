package admin

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/web"
)

// CustomerAttributes are the PortaSwitch customer attributes an address
// field can fill, with the names the key picker shows.
var CustomerAttributes = []struct{ Key, Label string }{
	{"salutation", "Salutation"},
	{"firstname", "First name"},
	{"midinit", "Middle initial"},
	{"lastname", "Last name"},
	{"companyname", "Company name"},
	{"email", "Email"},
	{"phone1", "Phone"},
	{"phone2", "Second phone"},
	{"faxnum", "Fax"},
	{"cont1", "Contact person"},
	{"baddr1", "Address line 1"},
	{"address_line_2", "Address line 2"},
	{"city", "City"},
	{"state", "State or province"},
	{"zip", "Postcode"},
	{"country", "Country"},
	{"note", "Note"},
}

const customKey = "custom"

func isAttribute(key string) bool {
	return slices.ContainsFunc(CustomerAttributes, func(a struct{ Key, Label string }) bool { return a.Key == key })
}

// fieldIndex reads :i, a position in the working configuration's fields.
func fieldIndex(c *fiber.Ctx, ef *editorForm) (int, error) {
	i, err := strconv.Atoi(c.Params("i"))
	if err != nil || i < 0 || i >= len(ef.cfg.Fields) {
		return 0, forms.Errorf(forms.ENotFound, "This form has no such field.")
	}
	return i, nil
}

func fieldsVM(ef *editorForm, ve forms.ValidationErrors) components.AdminFieldsVM {
	id := ef.form.ID
	vm := components.AdminFieldsVM{NewURL: formURL(id, "/edit/fields/new"), OrderURL: formURL(id, "/edit/fields/order")}
	n := len(ef.cfg.Fields)
	for i, f := range ef.cfg.Fields {
		row := components.AdminFieldRow{
			Index: i, Key: f.Key, Kind: string(f.Kind), Label: f.Label, Required: f.Required,
			Custom:    !isAttribute(f.Key),
			EditURL:   formURL(id, fmt.Sprintf("/edit/fields/%d", i)),
			MoveURL:   formURL(id, fmt.Sprintf("/edit/fields/%d/move", i)),
			DeleteURL: formURL(id, fmt.Sprintf("/edit/fields/%d/delete", i)),
			First:     i == 0, Last: i == n-1,
		}
		if f.ShowWhen != nil {
			row.Condition = "shown when " + f.ShowWhen.Field + " = " + f.ShowWhen.Equals
		}
		prefix := fmt.Sprintf("fields[%d].", i)
		for _, e := range ve {
			if strings.HasPrefix(e.Path, prefix) {
				row.Error = e.Message
				break
			}
		}
		vm.Fields = append(vm.Fields, row)
	}
	return vm
}

// fieldsPage shows the list of address fields.
func (h *handlers) fieldsPage(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	ed := h.editorVM(c, ef, "fields")
	return web.Render(c, fiber.StatusOK, components.AdminFormFields(h.formPage(c, "Address fields – "+ef.form.Name), ed, fieldsVM(ef, nil)))
}

// saveFields saves a changed field list (moved, removed, reordered), or
// shows the saved list again (422) with why the change was refused.
func (h *handlers) saveFields(c *fiber.Ctx, ef *editorForm, fields []forms.Field, what string) error {
	cfg := ef.cfg
	cfg.Fields = fields
	err := h.saveDraft(c, ef, cfg, "fields", keysOf(ef.cfg.Fields), map[string]any{"change": what, "keys": keysOf(fields)})
	if err == nil {
		return savedRedirect(c, ef, "/edit/fields")
	}
	ve, ok := validationErrors(err)
	if !ok {
		return fmt.Errorf("save fields: %w", err)
	}
	ed := h.editorVM(c, ef, "fields")
	for _, e := range ve {
		msg := e.Message
		if i, ok := fieldOfPath(e.Path); ok && i < len(fields) {
			msg = "“" + fields[i].Label + "”: " + msg
		}
		ed.Errors = append(ed.Errors, components.ErrorItemVM{Key: "main", Message: "Not saved: " + msg})
	}
	return web.Render(c, fiber.StatusUnprocessableEntity, components.AdminFormFields(h.formPage(c, "Address fields – "+ef.form.Name), ed, fieldsVM(ef, nil)))
}

var fieldPathRE = regexp.MustCompile(`^fields\[(\d+)\]`)

func fieldOfPath(path string) (int, bool) {
	m := fieldPathRE.FindStringSubmatch(path)
	if m == nil {
		return 0, false
	}
	i, err := strconv.Atoi(m[1])
	return i, err == nil
}

func keysOf(fields []forms.Field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Key
	}
	return out
}

// moveField moves a field one place up or down (the keyboard alternative
// to dragging).
func (h *handlers) moveField(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	i, err := fieldIndex(c, ef)
	if err != nil {
		return err
	}
	j := i - 1
	if formValue(c, "direction") == "down" {
		j = i + 1
	}
	if j < 0 || j >= len(ef.cfg.Fields) {
		return savedRedirect(c, ef, "/edit/fields")
	}
	fields := slices.Clone(ef.cfg.Fields)
	fields[i], fields[j] = fields[j], fields[i]
	return h.saveFields(c, ef, fields, "move "+fields[j].Key)
}

// deleteField removes a field.
func (h *handlers) deleteField(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	i, err := fieldIndex(c, ef)
	if err != nil {
		return err
	}
	fields := slices.Delete(slices.Clone(ef.cfg.Fields), i, i+1)
	return h.saveFields(c, ef, fields, "remove "+ef.cfg.Fields[i].Key)
}

// orderFields applies a new order from drag and drop: "order" lists every
// key of the draft's fields once.
func (h *handlers) orderFields(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	keys := strings.Split(formValue(c, "order"), ",")
	if len(keys) != len(ef.cfg.Fields) {
		return forms.Errorf(forms.EConflict, "The fields changed in the meantime; reload the page and try again.")
	}
	fields := make([]forms.Field, 0, len(keys))
	for _, k := range keys {
		i := slices.IndexFunc(ef.cfg.Fields, func(f forms.Field) bool { return f.Key == strings.TrimSpace(k) })
		if i < 0 || slices.ContainsFunc(fields, func(f forms.Field) bool { return f.Key == ef.cfg.Fields[i].Key }) {
			return forms.Errorf(forms.EConflict, "The fields changed in the meantime; reload the page and try again.")
		}
		fields = append(fields, ef.cfg.Fields[i])
	}
	return h.saveFields(c, ef, fields, "reorder")
}

// fieldEditVM fills the field editor from a field.
func fieldEditVM(ef *editorForm, index int, f forms.Field) components.AdminFieldEditVM {
	id := ef.form.ID
	vm := components.AdminFieldEditVM{
		Index: index, BackURL: formURL(id, "/edit/fields"),
		Kind: string(f.Kind), Label: f.Label, Help: f.Help, Placeholder: f.Placeholder,
		Required: f.Required, Pattern: f.Pattern,
		PatternTestURL: formURL(id, "/edit/pattern-test"),
	}
	if index < 0 {
		vm.Action = formURL(id, "/edit/fields")
	} else {
		vm.Action = formURL(id, fmt.Sprintf("/edit/fields/%d", index))
	}
	if f.MinLength > 0 {
		vm.MinLength = strconv.Itoa(f.MinLength)
	}
	if f.MaxLength > 0 {
		vm.MaxLength = strconv.Itoa(f.MaxLength)
	}
	var opts []string
	for _, o := range f.Options {
		opts = append(opts, o.Value+" | "+o.Label)
	}
	vm.Options = strings.Join(opts, "\n")
	if f.ShowWhen != nil {
		vm.ShowWhenField, vm.ShowWhenEquals = f.ShowWhen.Field, f.ShowWhen.Equals
	}
	vm.KeyChoice = f.Key
	if f.Key == "" || !isAttribute(f.Key) {
		vm.KeyChoice, vm.Key = customKey, f.Key
		if f.Key == "" && index < 0 {
			vm.KeyChoice = ""
		}
	}
	return vm
}

// fillFieldOptions adds the pickers' choices to a field editor.
func fillFieldOptions(vm *components.AdminFieldEditVM, ef *editorForm) {
	vm.KeyOptions = []components.AdminOption{{Value: "", Label: "Choose…", Selected: vm.KeyChoice == ""}}
	for _, a := range CustomerAttributes {
		vm.KeyOptions = append(vm.KeyOptions, components.AdminOption{Value: a.Key, Label: a.Label + " (" + a.Key + ")", Selected: vm.KeyChoice == a.Key})
	}
	vm.KeyOptions = append(vm.KeyOptions, components.AdminOption{Value: customKey, Label: "Custom key (kept as a note)", Selected: vm.KeyChoice == customKey})
	for _, k := range forms.Kinds {
		vm.KindOptions = append(vm.KindOptions, components.AdminOption{Value: string(k), Label: string(k), Selected: vm.Kind == string(k)})
	}
	vm.ConditionOpts = []components.AdminOption{{Value: "", Label: "Always shown", Selected: vm.ShowWhenField == ""}}
	for i, f := range ef.cfg.Fields {
		if vm.Index >= 0 && i >= vm.Index {
			break
		}
		vm.ConditionOpts = append(vm.ConditionOpts, components.AdminOption{Value: f.Key, Label: f.Label + " (" + f.Key + ")", Selected: vm.ShowWhenField == f.Key})
	}
}

func (h *handlers) renderField(c *fiber.Ctx, status int, ef *editorForm, ed components.AdminEditorVM, vm components.AdminFieldEditVM) error {
	fillFieldOptions(&vm, ef)
	return web.Render(c, status, components.AdminFormField(h.formPage(c, "Field – "+ef.form.Name), ed, vm))
}

// newField shows an empty field editor.
func (h *handlers) newField(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	vm := fieldEditVM(ef, -1, forms.Field{Kind: forms.KindText})
	return h.renderField(c, fiber.StatusOK, ef, h.editorVM(c, ef, "fields"), vm)
}

// editField shows the editor of one field.
func (h *handlers) editField(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	i, err := fieldIndex(c, ef)
	if err != nil {
		return err
	}
	return h.renderField(c, fiber.StatusOK, ef, h.editorVM(c, ef, "fields"), fieldEditVM(ef, i, ef.cfg.Fields[i]))
}

// readField reads the field editor's inputs (and only those) into a field
// and the editor's view model, noting numbers and options it cannot read.
func readField(c *fiber.Ctx, ed *components.AdminEditorVM, vm *components.AdminFieldEditVM) forms.Field {
	vm.KeyChoice, vm.Key = formValue(c, "key_choice"), formValue(c, "key")
	vm.Kind, vm.Label, vm.Help, vm.Placeholder = formValue(c, "kind"), formValue(c, "label"), formValue(c, "help"), formValue(c, "placeholder")
	vm.Required = formValue(c, "required") != ""
	vm.MinLength, vm.MaxLength, vm.Pattern = formValue(c, "min_length"), formValue(c, "max_length"), formValue(c, "pattern")
	vm.Examples, vm.Options = formValue(c, "examples"), formValue(c, "options")
	vm.ShowWhenField, vm.ShowWhenEquals = formValue(c, "show_when_field"), formValue(c, "show_when_equals")

	f := forms.Field{Kind: forms.Kind(vm.Kind), Label: vm.Label, Help: vm.Help, Placeholder: vm.Placeholder,
		Required: vm.Required, Pattern: vm.Pattern}
	switch vm.KeyChoice {
	case "":
		addInputError(ed, "key_choice", "Choose the PortaSwitch attribute, or a custom key")
	case customKey:
		f.Key = vm.Key
	default:
		if !isAttribute(vm.KeyChoice) {
			addInputError(ed, "key_choice", "Choose one of the attributes in the list")
		}
		f.Key = vm.KeyChoice
	}
	num := func(name, s string) int {
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			addInputError(ed, name, "Enter a whole number, or leave it empty")
		}
		return n
	}
	f.MinLength, f.MaxLength = num("min_length", vm.MinLength), num("max_length", vm.MaxLength)
	for n, line := range strings.Split(vm.Options, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		value, label, ok := strings.Cut(line, "|")
		value, label = strings.TrimSpace(value), strings.TrimSpace(label)
		if !ok {
			label = value
		}
		if value == "" {
			addInputError(ed, "options", fmt.Sprintf("Line %d: write the choice as value | label", n+1))
		}
		f.Options = append(f.Options, forms.Option{Value: value, Label: label})
	}
	if vm.ShowWhenField != "" {
		f.ShowWhen = &forms.Condition{Field: vm.ShowWhenField, Equals: vm.ShowWhenEquals}
	}
	return f
}

// fieldInput maps fields[i].x to the field editor's inputs.
func fieldInput(i int, custom bool) inputMapper {
	prefix := fmt.Sprintf("fields[%d].", i)
	return func(path string) string {
		rest, ok := strings.CutPrefix(path, prefix)
		if !ok {
			return ""
		}
		switch {
		case rest == "key":
			if custom {
				return "key"
			}
			return "key_choice"
		case strings.HasPrefix(rest, "options"):
			return "options"
		case rest == "show_when.field":
			return "show_when_field"
		case rest == "show_when.equals":
			return "show_when_equals"
		}
		return rest
	}
}

// saveField adds a field (no :i) or replaces field :i, then saves the
// whole draft; errors show next to the field's inputs with everything
// typed kept.
func (h *handlers) saveField(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	index := -1
	if c.Params("i") != "" {
		if index, err = fieldIndex(c, ef); err != nil {
			return err
		}
	}
	ed := h.editorVM(c, ef, "fields")
	vm := fieldEditVM(ef, index, forms.Field{})
	f := readField(c, &ed, &vm)
	fields := slices.Clone(ef.cfg.Fields)
	at := index
	var before any
	if index < 0 {
		fields = append(fields, f)
		at = len(fields) - 1
	} else {
		before = fields[index]
		fields[index] = f
	}
	if len(ed.Errors) == 0 {
		cfg := ef.cfg
		cfg.Fields = fields
		err := h.saveDraft(c, ef, cfg, "fields", map[string]any{"index": at, "field": before}, map[string]any{"index": at, "field": f})
		if err == nil {
			return savedRedirect(c, ef, "/edit/fields")
		}
		ve, ok := validationErrors(err)
		if !ok {
			return fmt.Errorf("save field: %w", err)
		}
		// Problems of other fields caused by this one (a condition that
		// now points nowhere) are listed as well.
		mine := fieldInput(at, vm.KeyChoice == customKey)
		applyErrors(&ed, ve, "fields", func(path string) string {
			if name := mine(path); name != "" {
				return name
			}
			return ""
		})
	}
	vm.PatternResult = patternTest(f, vm.Examples)
	return h.renderField(c, fiber.StatusUnprocessableEntity, ef, ed, vm)
}

// patternTest checks each example (one per line) as the address step would
// check the answer to a field with this kind, pattern and lengths.
func patternTest(f forms.Field, examples string) components.AdminPatternTestVM {
	var vm components.AdminPatternTestVM
	if f.Pattern != "" {
		probe := forms.Config{Fields: []forms.Field{{Key: "probe", Kind: forms.KindText, Label: "Probe", Pattern: f.Pattern}}}
		if err := probe.Validate(); err != nil {
			if ve, ok := validationErrors(err); ok {
				if m := ve.Get("fields[0].pattern"); m != "" {
					vm.Error = m
					return vm
				}
			}
		}
	}
	kind := f.Kind
	if kind == "" || !slices.Contains([]forms.Kind{forms.KindText, forms.KindTextarea, forms.KindEmail, forms.KindTel, forms.KindNumber}, kind) {
		kind = forms.KindText
	}
	probe := forms.Field{Key: "probe", Kind: kind, Label: "Answer", Pattern: f.Pattern, MinLength: f.MinLength, MaxLength: f.MaxLength}
	for _, ex := range strings.Split(examples, "\n") {
		ex = strings.TrimRight(ex, "\r")
		if strings.TrimSpace(ex) == "" {
			continue
		}
		_, errs := forms.ValidateAnswers([]forms.Field{probe}, map[string]string{"probe": ex})
		r := components.AdminPatternResult{Example: ex, OK: errs.Len() == 0}
		if !r.OK {
			r.Message = errs.Get("probe")
		}
		vm.Results = append(vm.Results, r)
		if len(vm.Results) == 20 {
			break
		}
	}
	return vm
}

// patternTestPage answers the live pattern test: the results fragment for
// htmx. It changes nothing, so it is a GET with read permission.
func (h *handlers) patternTestPage(c *fiber.Ctx) error {
	if _, err := h.loadForm(c); err != nil {
		return err
	}
	min, _ := strconv.Atoi(strings.TrimSpace(c.Query("min_length")))
	max, _ := strconv.Atoi(strings.TrimSpace(c.Query("max_length")))
	f := forms.Field{Kind: forms.Kind(c.Query("kind")), Pattern: strings.TrimSpace(c.Query("pattern")), MinLength: min, MaxLength: max}
	return web.Render(c, fiber.StatusOK, components.AdminPatternTest(patternTest(f, c.Query("examples"))))
}
