package components_test

import (
	"testing"

	"websignup/components"
)

// TestDoneWorkingPollsWithoutTimedRefresh: the "finishing" state polls its
// status address with htmx and keeps a plain "Check again" link; no page
// refreshes itself on a timer (axe-core's meta-refresh rule, WCAG 2.2.1).
func TestDoneWorkingPollsWithoutTimedRefresh(t *testing.T) {
	doc, _ := render(t, components.DonePage(components.Page{Title: "Finishing", Brand: components.NeutralBrand()},
		components.DoneVM{State: components.DoneWorking, StatusURL: "/s/demo/done/status", PollSeconds: 5}))
	w := doc.Find(`[data-testid="done-working"]`)
	if w.Length() != 1 {
		t.Fatal("the working state is not shown")
	}
	if got := w.AttrOr("hx-get", ""); got != "/s/demo/done/status" {
		t.Errorf("hx-get %q; want the status URL", got)
	}
	if got := w.AttrOr("hx-trigger", ""); got != "every 5s" {
		t.Errorf("hx-trigger %q; want every 5s", got)
	}
	if n := doc.Find(`meta[http-equiv="refresh"]`).Length(); n != 0 {
		t.Errorf("%d timed refresh elements; want none", n)
	}
	if doc.Find(`[data-testid="done-refresh"]`).Length() != 1 {
		t.Error("no Check again link for browsers without JavaScript")
	}
}
