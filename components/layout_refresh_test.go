package components_test

import (
	"testing"

	"websignup/components"
)

// TestPageRefreshSecondsInHead: a page asking to refresh itself gets the
// meta element in its head (where browsers and validators expect it, not in
// the body), and other pages get none.
func TestPageRefreshSecondsInHead(t *testing.T) {
	brand := components.NeutralBrand()
	doc, _ := render(t, components.DonePage(components.Page{Title: "Finishing", Brand: brand, RefreshSeconds: 3},
		components.DoneVM{State: components.DoneWorking}))
	if got := doc.Find(`head meta[http-equiv="refresh"]`); got.Length() != 1 || got.AttrOr("content", "") != "3" {
		t.Errorf("head refresh: %d elements, content %q; want one, \"3\"", got.Length(), got.AttrOr("content", ""))
	}
	if n := doc.Find(`body meta`).Length(); n != 0 {
		t.Errorf("%d meta elements in the body; want none", n)
	}
	if doc.Find(`[data-testid="done-working"]`).Length() != 1 {
		t.Error("the working state is not shown")
	}

	doc, _ = render(t, components.Layout(components.Page{Title: "Plain", Brand: brand}))
	if n := doc.Find(`meta[http-equiv="refresh"]`).Length(); n != 0 {
		t.Errorf("a page without RefreshSeconds has %d refresh elements", n)
	}
}
