package admin_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"websignup/forms"
	"websignup/provision"
)

// walk creates a wizard session of f at at and saves its progress through
// the first steps wizard steps (0: the plan only).
func (e *env) walk(f forms.Form, n int, at time.Time, steps int) {
	e.t.Helper()
	ctx := context.Background()
	v := ensureDraft(e, f)
	id := fmt.Sprintf("walk-session-%04d-0123456789abcdef0123456789ab", n)
	p := forms.Progress{Product: v.Config.Products[0].IProduct}
	w := e.store.Wizard()
	if err := w.CreateSession(ctx, forms.Session{ID: id, FormID: f.ID, VersionID: v.ID, Progress: p,
		CreatedAt: at, UpdatedAt: at, ExpiresAt: at.Add(time.Hour)}); err != nil {
		e.t.Fatal(err)
	}
	for i := 1; i <= steps; i++ {
		switch i {
		case 1:
			p.Answers = forms.Answers{"email": "w@example.com"}
		case 2:
			p.Number, p.Device = "16045550199", forms.DeviceBYOD
		case 3:
			p.CardSealed = true
		}
		if err := w.SaveProgress(ctx, id, p, "Visa", "4242", at, time.Time{}); err != nil {
			e.t.Fatal(err)
		}
	}
}

func TestFunnelPage(t *testing.T) {
	e := newSQLiteEnv(t)
	now := e.clock.Now()
	e.seed(e.formA, seedJob{first: "Ann", email: "ann@example.com", status: provision.StatusCompleted})
	e.seed(e.formA, seedJob{first: "Rob", email: "rob@example.com", status: provision.StatusNeedsReview})
	e.seed(e.formA, seedJob{first: "Fay", email: "fay@example.com", status: provision.StatusFailed})
	e.walk(e.formA, 1, now.Add(-2*time.Hour), 0)
	e.walk(e.formA, 2, now.Add(-26*time.Hour), 1)
	e.walk(e.formA, 3, now.AddDate(0, 0, -40), 3) // outside the last 30 days
	e.walk(e.formB, 4, now, 3)                    // another form

	c := e.signedIn(e.viewerA)
	path := "/admin/forms/" + id(e.formA.ID) + "/funnel"
	r := c.get(path)
	if r.status != 200 {
		t.Fatalf("funnel: %d", r.status)
	}
	counts := func(r response) map[string]string {
		got := map[string]string{}
		r.doc(t).Find(`[data-testid="funnel-row"]`).Each(func(_ int, s *goquery.Selection) {
			k, _ := s.Attr("data-key")
			got[k] = strings.TrimSpace(s.Find(`[data-testid="funnel-count"]`).Text())
		})
		return got
	}
	want := map[string]string{"started": "5", "address": "4", "phone": "3", "payment": "3", "signed_up": "3",
		"completed": "1", "failed": "1", "needs_review": "1"}
	if got := counts(r); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("counts %v, want %v", got, want)
	}
	d := r.doc(t)
	svg := d.Find(`svg[data-testid="funnel-chart"]`)
	label, _ := svg.Attr("aria-label")
	if role, _ := svg.Attr("role"); role != "img" || !strings.Contains(label, "started (plan chosen) 5") || !strings.Contains(label, "completed 1") {
		t.Errorf("chart role %q label %q", role, label)
	}
	var widths []string
	svg.Find(`[data-testid="funnel-bar"]`).Each(func(_ int, s *goquery.Selection) {
		w, _ := s.Attr("width")
		widths = append(widths, w)
	})
	if len(widths) != 8 || widths[0] != "520" || widths[4] != "312" {
		t.Errorf("bar widths %v (the longest is the sessions started; 3 of 5 is 312)", widths)
	}
	if got := text(t, r, `[data-testid="funnel-period"]`); !strings.Contains(got, "30 days") {
		t.Errorf("default period %q", got)
	}

	from := now.AddDate(0, 0, -60).Format(time.DateOnly)
	wide := c.get(path + "?from=" + from + "&to=" + now.Format(time.DateOnly))
	if got := counts(wide); got["started"] != "6" || got["payment"] != "4" {
		t.Errorf("over 60 days: %v", got)
	}
	if link, _ := wide.doc(t).Find(`[data-testid="funnel-row"][data-key="needs_review"] a`).Attr("href"); !strings.Contains(link, "status=needs_review") || !strings.Contains(link, "from="+from) {
		t.Errorf("needs review links to %q", link)
	}
	if bad := c.get(path + "?from=2030-13-01"); bad.status != 422 || text(t, bad, `[data-testid="error-from"]`) == "" {
		t.Errorf("a bad date: %d", bad.status)
	}
	if bad := c.get(path + "?from=2030-03-04&to=2030-03-01"); bad.status != 422 || text(t, bad, `[data-testid="error-to"]`) == "" {
		t.Errorf("a reversed period: %d", bad.status)
	}
	if r := c.get("/admin/forms/" + id(e.formB.ID) + "/funnel"); r.status != 404 {
		t.Errorf("another tenant's funnel: %d", r.status)
	}
}
