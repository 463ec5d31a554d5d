package components

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"websignup/forms"
)

// TestFieldShapeCoversFieldVM fails when FieldVM gains a field: the shape a
// field's markup is kept by must then learn it too (fieldShape, shape,
// fieldShape.field), or two fields differing in it would share markup.
func TestFieldShapeCoversFieldVM(t *testing.T) {
	var names []string
	for f := range reflect.TypeFor[FieldVM]().Fields() {
		names = append(names, f.Name)
	}
	want := []string{"Key", "Kind", "Label", "Help", "Placeholder", "Required", "MaxLength", "Options", "Value", "Error", "Autocomplete", "InputMode"}
	if !slices.Equal(names, want) {
		t.Errorf("FieldVM has %v, the field shape knows %v: teach it the new ones", names, want)
	}
}

// TestFieldFromShapeSameMarkup checks that a field written from its shape's
// markup is what its template renders, for every kind that has a shape,
// with and without help, error, value, requirement and hints, and values
// that need escaping or look like the marks.
func TestFieldFromShapeSameMarkup(t *testing.T) {
	var fields []forms.Field
	for _, kind := range []forms.Kind{forms.KindText, forms.KindEmail, forms.KindTel, forms.KindNumber, forms.KindDate, forms.KindTextarea, forms.KindCheckbox} {
		for _, help := range []string{"", "Help & <more>"} {
			for _, req := range []bool{false, true} {
				fields = append(fields,
					forms.Field{Key: "firstname", Kind: kind, Label: "First <name>", Help: help, Required: req, MaxLength: 10},
					forms.Field{Key: "notes", Kind: kind, Label: "Notes", Help: help, Required: req, Placeholder: "e.g. \"x\"", MaxLength: 500})
			}
		}
	}
	fields = append(fields, forms.Field{Key: "nul", Kind: forms.KindText, Label: "A \x00value\x00 label"})
	values := []string{"", "Ada", `<b>"Ada" & 'Bob'</b>`, forms.CheckboxChecked, valueMark, errorMark, "a\x00b"}
	errs := []string{"", "Enter <this> & that", errorMark, valueMark}
	for _, ff := range fields {
		for _, v := range values {
			for _, e := range errs {
				f := NewField(ff, v, e)
				want := renderString(t, fieldTemplate(f))
				for range 2 {
					if got := renderString(t, Field(f)); got != want {
						t.Fatalf("%s %q value %q error %q:\n got %q\nwant %q", f.Kind, f.Key, v, e, got, want)
					}
				}
			}
		}
	}
}

// TestFieldMemoKeepsNoValue checks that what is kept of a field holds
// neither its value nor its error text: card numbers pass through here.
func TestFieldMemoKeepsNoValue(t *testing.T) {
	f := NewField(forms.Field{Key: "card_number", Kind: forms.KindText, Label: "Card number"}, "4242424242424242", "Card 4242424242424242 was declined")
	if html := renderString(t, Field(f)); !strings.Contains(html, "4242424242424242") {
		t.Fatalf("the value is not on the page: %s", html)
	}
	s, ok := f.shape()
	if !ok {
		t.Fatal("a text field has no shape")
	}
	m, ok := fieldMemo.Load(s)
	if !ok || m == nil {
		t.Fatalf("the field's markup is not kept (%v, %v)", ok, m)
	}
	if strings.Contains(strings.Join(m.parts, ""), "4242") || strings.Contains(fmt.Sprint(s), "4242") {
		t.Errorf("the memo keeps the value for %+v", s)
	}
}
