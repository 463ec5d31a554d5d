package components

import (
	"context"
	"io"
	"strings"

	"github.com/a-h/templ"

	"websignup/forms"
	"websignup/internal/memo"
)

// Field renders one configured input with its label, optional help text and
// error message, the right control for its kind, and the ARIA wiring between
// them (fieldTemplate). Radios are a fieldset whose legend is the label.
//
// A page renders a dozen fields, each much the same from request to
// request: a text field, text area or checkbox is written from markup
// rendered once per shape (the field but for its value and error text),
// with its value and error text written into it, escaped as the template
// escapes them. Values and errors are never kept. Fields with options are
// rendered each time.
func Field(f FieldVM) templ.Component {
	if s, ok := f.shape(); ok {
		return shapedField{shape: s, value: f.Value, err: f.Error}
	}
	return fieldTemplate(f)
}

// fieldShape is what the markup of a text field, text area or checkbox
// depends on besides its value and error text: a FieldVM without them
// (TestFieldShapeCoversFieldVM keeps the two in step).
type fieldShape struct {
	key, label, help, placeholder, autocomplete, inputMode string
	kind                                                   forms.Kind
	required                                               bool
	maxLength                                              int
	hasError                                               bool
	checked                                                bool // a ticked checkbox
}

// shape returns f's shape, or false for a field with options.
func (f FieldVM) shape() (fieldShape, bool) {
	switch {
	case f.Kind == forms.KindSelect, f.Kind == forms.KindCountry, f.Kind == forms.KindRadio, len(f.Options) > 0:
		return fieldShape{}, false
	}
	return fieldShape{
		key: f.Key, label: f.Label, help: f.Help, placeholder: f.Placeholder,
		autocomplete: f.Autocomplete, inputMode: f.InputMode,
		kind: f.Kind, required: f.Required, maxLength: f.MaxLength,
		hasError: f.Error != "", checked: f.Kind == forms.KindCheckbox && f.Checked(),
	}, true
}

// field is the FieldVM of shape s with the given value and error text; a
// checkbox's value is its ticked state.
func (s fieldShape) field(value, err string) FieldVM {
	f := FieldVM{Key: s.key, Kind: s.kind, Label: s.label, Help: s.help, Placeholder: s.placeholder,
		Required: s.required, MaxLength: s.maxLength, Autocomplete: s.autocomplete, InputMode: s.inputMode,
		Value: value, Error: err}
	if s.kind == forms.KindCheckbox {
		f.Value = ""
		if s.checked {
			f.Value = forms.CheckboxChecked
		}
	}
	return f
}

// The marks a shape is rendered with in place of the value and error text,
// to find where they go. NUL is escaped by nothing; a shape whose own text
// has one is rendered each time instead.
const (
	valueMark = "\x00value\x00"
	errorMark = "\x00error\x00"
)

// fieldMarkup is a shape's markup cut where its value and error text go:
// parts[0], holes[0], parts[1], ... parts[len(holes)]; a hole is valueMark
// or errorMark.
type fieldMarkup struct {
	parts []string
	holes []string
}

// fieldMemo keeps each shape's markup; a nil one cannot be cut, and the
// field is rendered each time.
var fieldMemo memo.Map[fieldShape, *fieldMarkup]

// shapedField is a field written from its shape's markup. Its Render is
// called through the templ.Component that Field returns.
type shapedField struct {
	shape      fieldShape
	value, err string
}

// Render implements templ.Component.
func (c shapedField) Render(ctx context.Context, w io.Writer) error {
	m, ok := fieldMemo.Load(c.shape)
	if !ok {
		m = cutField(ctx, c.shape)
		fieldMemo.Store(c.shape, m)
	}
	if m == nil {
		return fieldTemplate(c.shape.field(c.value, c.err)).Render(ctx, w)
	}
	for i, h := range m.holes {
		if _, err := io.WriteString(w, m.parts[i]); err != nil {
			return err
		}
		s := c.err
		if h == valueMark {
			s = c.value
		}
		if _, err := io.WriteString(w, templ.EscapeString(s)); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, m.parts[len(m.holes)])
	return err
}

// cutField renders shape s with the marks for value and error text and
// cuts it where they are. It returns nil if the markup cannot be cut: it
// failed to render, or a mark is not found exactly where expected (the
// value once, but for a checkbox; the error text once if there is one).
func cutField(ctx context.Context, s fieldShape) *fieldMarkup {
	errText := ""
	if s.hasError {
		errText = errorMark
	}
	var sb strings.Builder
	if fieldTemplate(s.field(valueMark, errText)).Render(ctx, &sb) != nil {
		return nil
	}
	markup := sb.String()
	m := &fieldMarkup{}
	values, errs := 0, 0
	for {
		i := strings.IndexByte(markup, 0)
		if i < 0 {
			break
		}
		var mark string
		switch {
		case strings.HasPrefix(markup[i:], valueMark):
			mark = valueMark
			values++
		case strings.HasPrefix(markup[i:], errorMark):
			mark = errorMark
			errs++
		default:
			return nil
		}
		m.parts = append(m.parts, markup[:i])
		m.holes = append(m.holes, mark)
		markup = markup[i+len(mark):]
	}
	m.parts = append(m.parts, markup)
	wantValues, wantErrs := 1, 0
	if s.kind == forms.KindCheckbox {
		wantValues = 0
	}
	if s.hasError {
		wantErrs = 1
	}
	if values != wantValues || errs != wantErrs {
		return nil
	}
	return m
}
