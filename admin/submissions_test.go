package admin_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"websignup/provision"
	"websignup/storage"
	"websignup/storage/storagetest"
)

func TestSubmissionsListFiltersAndPages(t *testing.T) {
	e := newSQLiteEnv(t)
	base := e.clock.Now().Add(-72 * time.Hour)
	var last *provision.Job
	for i := range 27 {
		last = e.seed(e.formA, seedJob{first: fmt.Sprintf("Person%02d", i), last: "Tester", email: fmt.Sprintf("p%02d@example.com", i),
			at: base.Add(time.Duration(i) * time.Hour)})
	}
	review := e.seed(e.formA, seedJob{first: "Rita", last: "Review", email: "rita@example.com", status: provision.StatusNeedsReview,
		at: base.Add(48 * time.Hour)})
	failed := e.seed(e.formA, seedJob{first: "Fay", last: "Failed", email: "fay@example.com", status: provision.StatusFailed,
		at: base.Add(49 * time.Hour)})
	e.seed(e.formB, seedJob{first: "Bea", last: "Beta", email: "bea@beta.example"})

	viewer := e.signedIn(e.viewerA)
	list := "/admin/forms/" + id(e.formA.ID) + "/submissions"
	r := viewer.get(list)
	if r.status != 200 {
		t.Fatalf("list: %d", r.status)
	}
	d := r.doc(t)
	rows := d.Find(`[data-testid="submission-row"]`)
	if rows.Length() != 25 {
		t.Fatalf("%d rows on page 1, want 25", rows.Length())
	}
	if got := strings.TrimSpace(rows.First().Find(`[data-testid="submission-name"]`).Text()); got != "Fay Failed" {
		t.Errorf("newest first: got %q", got)
	}
	if got := text(t, r, `[data-testid="submissions-count"]`); !strings.Contains(got, "1–25 of 29") {
		t.Errorf("count %q", got)
	}
	if strings.Contains(r.body, "Bea") {
		t.Error("another tenant's submission is listed")
	}
	next, okNext := d.Find(`[data-testid="next-page"]`).Attr("href")
	if !okNext {
		t.Fatal("no next page link")
	}
	r2 := viewer.get(next)
	if n := r2.doc(t).Find(`[data-testid="submission-row"]`).Length(); n != 4 {
		t.Errorf("%d rows on page 2, want 4", n)
	}
	if got := r2.doc(t).Find(`[data-testid="submission-name"]`).Last().Text(); got != "Person00 Tester" {
		t.Errorf("oldest last: %q", got)
	}

	for _, c := range []struct {
		name, query string
		want        []string
	}{
		{"status", "status=attention", []string{"Fay Failed", "Rita Review"}},
		{"needs review", "status=needs_review", []string{"Rita Review"}},
		{"email", "q=" + url.QueryEscape("P26@EXAMPLE"), []string{"Person26 Tester"}},
		{"number typed", "q=" + url.QueryEscape(showDigits(last.Order.Number)), []string{"Person26 Tester"}},
		{"reference", "q=" + url.QueryEscape(review.Reference), []string{"Rita Review"}},
		{"days", "from=" + base.Format("2006-01-02") + "&to=" + base.Format("2006-01-02"), names(0, 14)},
	} {
		r := viewer.get(list + "?" + c.query)
		var got []string
		r.doc(t).Find(`[data-testid="submission-name"]`).Each(func(_ int, s *goquery.Selection) { got = append(got, s.Text()) })
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
		// The export link carries the same filter.
		if href, _ := r.doc(t).Find(`[data-testid="export-csv"]`).Attr("href"); !strings.Contains(href, ".csv?") {
			t.Errorf("%s: export link %q without the filter", c.name, href)
		}
	}

	bad := viewer.get(list + "?from=yesterday")
	if bad.status != 422 || text(t, bad, `[data-testid="error-from"]`) == "" {
		t.Errorf("a bad date: %d, error %q", bad.status, text(t, bad, `[data-testid="error-from"]`))
	}
	if r := viewer.get("/admin/forms/" + id(e.formB.ID) + "/submissions"); r.status != 404 {
		t.Errorf("another tenant's form: %d", r.status)
	}
	if r := viewer.get("/admin/submissions/" + id(failed.ID)); r.status != 200 || r.doc(t).Find(`[data-testid="actions"]`).Length() != 0 {
		t.Errorf("a viewer sees review actions (status %d)", r.status)
	}

	// The hub lists the tenant's forms with what needs attention.
	hub := e.signedIn(e.adminA).get("/admin/submissions")
	if hub.status != 200 || hub.doc(t).Find(`[data-testid="hub-row"]`).Length() != 1 || text(t, hub, `[data-testid="hub-attention"]`) != "2 of Alpha signup need attention" {
		t.Errorf("hub %d: rows %d, attention %q", hub.status, hub.doc(t).Find(`[data-testid="hub-row"]`).Length(), text(t, hub, `[data-testid="hub-attention"]`))
	}
	if op := e.signedIn(e.operator).get("/admin/submissions"); op.doc(t).Find(`[data-testid="hub-row"]`).Length() != 2 {
		t.Error("the operator's hub does not list both tenants' forms")
	}
}

func names(from, to int) []string {
	var out []string
	for i := to; i >= from; i-- {
		out = append(out, fmt.Sprintf("Person%02d Tester", i))
	}
	return out
}

// showDigits writes a number as a person types it: +1 604-555-0026.
func showDigits(n string) string { return "+" + n[:1] + " " + n[1:4] + "-" + n[4:7] + "-" + n[7:] }

func TestSubmissionDetail(t *testing.T) {
	e := newSQLiteEnv(t)
	job := e.seed(e.formA, seedJob{first: "Ada", last: "Lovelace", email: "ada@example.com", status: provision.StatusCompleted,
		credentials: provision.Credentials{Login: "16045550100", WebPassword: "WebSecret12345", SIPLogin: "16045550100", SIPPassword: "SipSecret12345"}})
	r := e.signedIn(e.adminA).get("/admin/submissions/" + id(job.ID))
	if r.status != 200 {
		t.Fatalf("detail: %d", r.status)
	}
	d := r.doc(t)
	order := d.Find(`[data-testid="order"]`).Text()
	for _, want := range []string{"Visa ending 4242", "$34.90", "Their own phone"} {
		if !strings.Contains(order, want) {
			t.Errorf("order %q lacks %q", order, want)
		}
	}
	if answers := d.Find(`[data-testid="answers"]`).Text(); !strings.Contains(answers, "ada@example.com") || !strings.Contains(answers, "Lovelace") {
		t.Errorf("answers %q", answers)
	}
	if href, _ := d.Find(`[data-testid="version-link"]`).Attr("href"); href != "/admin/forms/"+id(e.formA.ID)+"/versions" {
		t.Errorf("version link %q", href)
	}
	if got := text(t, r, `[data-testid="reference"]`); got != job.Reference {
		t.Errorf("reference %q", got)
	}
	var steps, ids []string
	d.Find(`[data-testid="timeline-step"]`).Each(func(_ int, s *goquery.Selection) {
		st, _ := s.Attr("data-step")
		steps = append(steps, st)
		ids = append(ids, strings.TrimSpace(s.Find(`[data-testid="timeline-id"]`).Text()))
	})
	if fmt.Sprint(steps) != "[add_customer add_payment_method charge add_account]" || ids[2] != id(job.ITransaction) {
		t.Errorf("timeline %v ids %v", steps, ids)
	}
	if !strings.Contains(d.Find(`[data-testid="ids"]`).Text(), "i_payment_transaction") {
		t.Error("PortaSwitch ids missing")
	}
	for _, secret := range []string{"WebSecret12345", "SipSecret12345"} {
		if strings.Contains(r.body, secret) {
			t.Errorf("the page shows the credential %q", secret)
		}
	}
	if d.Find(`[data-testid="actions"]`).Length() != 0 {
		t.Error("a completed signup offers review actions")
	}
	// The credentials are still there for the done page.
	if c, _, err := e.jobs().TakeCredentials(context.Background(), job.ID, time.Now(), time.Hour); err != nil || c.WebPassword != "WebSecret12345" {
		t.Errorf("credentials after the admin looked: %v %v", c, err)
	}
	if r := e.signedIn(e.adminB).get("/admin/submissions/" + id(job.ID)); r.status != 404 || strings.Contains(r.body, "Lovelace") {
		t.Errorf("another tenant's admin: %d", r.status)
	}
	if r := e.signedIn(e.adminA).get("/admin/submissions/x1"); r.status != 404 {
		t.Errorf("a bad id: %d", r.status)
	}
}

func TestSubmissionsCSV(t *testing.T) {
	e := newSQLiteEnv(t)
	e.seed(e.formA, seedJob{first: "=HYPERLINK(\"http://evil.example\",\"x\")", last: "+1+1", email: "@SUM(A1)", company: "\tTab",
		status: provision.StatusNeedsReview})
	e.seed(e.formA, seedJob{first: "-2+3", last: "Plain", email: "plain@example.com", status: provision.StatusCompleted})
	e.seed(e.formB, seedJob{first: "Bea", last: "Beta", email: "bea@beta.example", status: provision.StatusNeedsReview})

	c := e.signedIn(e.viewerA)
	r := c.get("/admin/forms/" + id(e.formA.ID) + "/submissions.csv?status=needs_review")
	if r.status != 200 {
		t.Fatalf("csv: %d %.300s", r.status, r.body)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".csv") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	recs, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("%d records, want the header and 1 (the filter): %q", len(recs), recs)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	row := recs[1]
	for k, want := range map[string]string{
		"first_name": "'=HYPERLINK(\"http://evil.example\",\"x\")", "last_name": "'+1+1", "email": "'@SUM(A1)",
		"company": "'\tTab", "status": "needs_review", "card": "Visa 4242", "amount": "34.90",
	} {
		if got := row[col[k]]; got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	all := c.get("/admin/forms/" + id(e.formA.ID) + "/submissions.csv")
	recs, _ = csv.NewReader(strings.NewReader(all.body)).ReadAll()
	if len(recs) != 3 || strings.Contains(all.body, "Bea") {
		t.Errorf("unfiltered export: %d records", len(recs))
	}
	if recs[1][col["first_name"]] != "'-2+3" {
		t.Errorf("a leading minus: %q", recs[1][col["first_name"]])
	}
	if r := c.get("/admin/forms/" + id(e.formB.ID) + "/submissions.csv"); r.status != 404 || strings.Contains(r.body, "Bea") {
		t.Errorf("another tenant's export: %d", r.status)
	}
	if r := c.get("/admin/forms/" + id(e.formA.ID) + "/submissions.csv?to=soon"); r.status != 400 {
		t.Errorf("a bad date: %d", r.status)
	}
}

func TestSubmissionReviewActions(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s, adminLimitsForMatrix())
		ctx := context.Background()
		js := e.jobs()
		unresolved := e.seed(e.formA, seedJob{first: "Una", last: "Known", email: "una@example.com", status: provision.StatusNeedsReview, unresolvedCharge: true})
		failed := e.seed(e.formA, seedJob{first: "Fay", last: "Failed", email: "fay@example.com", status: provision.StatusFailed})
		path := "/admin/submissions/" + id(unresolved.ID)

		admin := e.signedIn(e.adminA)
		page := admin.get(path)
		d := page.doc(t)
		if d.Find(`[data-testid="charge-unresolved"]`).Length() != 1 || d.Find(`[data-testid="retry-form"]`).Length() != 0 ||
			d.Find(`[data-testid="confirm-form"]`).Length() != 1 || d.Find(`[data-testid="resolve-form"]`).Length() != 1 {
			t.Fatalf("an unresolved charge offers: %s", d.Find(`[data-testid="actions"]`).Text())
		}

		// A viewer may not act; a post without the CSRF token is refused.
		if r := e.signedIn(e.viewerA).post(path+"/resolve", url.Values{"resolve_comment": {"x"}}); r.status != 403 {
			t.Errorf("viewer resolve: %d", r.status)
		}
		if r := admin.do(http.MethodPost, path+"/resolve", url.Values{"resolve_comment": {"x"}}); r.status != 403 {
			t.Errorf("resolve without CSRF: %d", r.status)
		}
		if r := e.signedIn(e.adminB).post(path+"/resolve", url.Values{"resolve_comment": {"x"}}); r.status != 404 {
			t.Errorf("another tenant's admin: %d", r.status)
		}

		// Retrying before the charge is confirmed is refused, and so are bad inputs.
		r := admin.post(path+"/retry", url.Values{"retry_comment": {"please"}})
		if r.status != 422 || !strings.Contains(text(t, r, `[data-testid="error-summary"]`), "charge of this signup is unresolved") {
			t.Errorf("retry of an unresolved charge: %d %q", r.status, text(t, r, `[data-testid="error-summary"]`))
		}
		r = admin.post(path+"/confirm-charge", url.Values{"transaction_id": {"abc"}, "confirm_comment": {""}})
		if r.status != 422 || text(t, r, `[data-testid="error-transaction_id"]`) == "" || text(t, r, `[data-testid="error-confirm_comment"]`) == "" {
			t.Errorf("bad confirm: %d", r.status)
		}
		if v, _ := r.doc(t).Find(`#field-transaction_id`).Attr("value"); v != "abc" {
			t.Errorf("the typed id is not kept: %q", v)
		}
		r = admin.post(path+"/resolve", url.Values{"resolve_comment": {"  "}})
		if r.status != 422 || text(t, r, `[data-testid="error-resolve_comment"]`) == "" {
			t.Errorf("resolve without comment: %d", r.status)
		}
		if j, _ := js.Job(ctx, unresolved.ID); j.Status != provision.StatusNeedsReview || j.ITransaction != 0 {
			t.Fatalf("refused actions changed the job: %s %d", j.Status, j.ITransaction)
		}

		// Confirm, then retry: audited; the worker may claim it now.
		r = admin.post(path+"/confirm-charge", url.Values{"transaction_id": {"7012"}, "confirm_comment": {"found in the customer's transactions"}})
		if r.status != 303 || !strings.HasPrefix(r.location, path+"?done=confirmed") {
			t.Fatalf("confirm: %d %q", r.status, r.location)
		}
		if p := admin.get(r.location); text(t, p, `[data-testid="flash"]`) == "" || p.doc(t).Find(`[data-testid="retry-form"]`).Length() != 1 {
			t.Error("after confirming, no confirmation or no Retry")
		}
		r = admin.post(path+"/retry", url.Values{"retry_comment": {"resume"}})
		if r.status != 303 {
			t.Fatalf("retry: %d %.300s", r.status, r.body)
		}
		j, _ := js.Job(ctx, unresolved.ID)
		if j.Status != provision.StatusRetrying || j.ITransaction != 7012 || !j.NextAttemptAt.Equal(e.clock.Now().Truncate(time.Microsecond)) {
			t.Errorf("after retry: %s tx %d next %v", j.Status, j.ITransaction, j.NextAttemptAt)
		}
		entries, _, err := s.AuditLog(ctx, storage.TenantOnly(e.tenantA.ID), storage.AuditFilter{ObjectType: "submission", ObjectID: id(unresolved.ID)})
		if err != nil || len(entries) != 2 || entries[0].Action != "submission.retry" || entries[1].Action != "submission.confirm_charge" ||
			entries[0].ActorEmail != e.adminA.Email || !strings.Contains(string(entries[1].After), "7012") {
			t.Errorf("audit: %+v %v", entries, err)
		}
		claimed, err := js.ClaimDue(ctx, "worker", time.Minute, e.clock.Now())
		if err != nil || claimed == nil || claimed.ID != unresolved.ID {
			t.Fatalf("the worker does not claim the retried job: %v %v", claimed, err)
		}
		// The runner skips the confirmed charge: the job is charged once.
		if !claimed.Charged() || claimed.ITransaction != 7012 {
			t.Errorf("claimed job %+v", claimed)
		}
		if err := js.Release(ctx, claimed); err != nil {
			t.Fatal(err)
		}
		// The detail shows the operator's actions on the timeline.
		p := admin.get(path)
		if notes := p.doc(t).Find(`[data-testid="timeline-note"]`).Text(); !strings.Contains(notes, "found in the customer") || !strings.Contains(notes, "resume") {
			t.Errorf("timeline notes %q", notes)
		}

		// A failed job: no retry, but it can be resolved; then no worker takes it.
		fpath := "/admin/submissions/" + id(failed.ID)
		fp := admin.get(fpath)
		if fp.doc(t).Find(`[data-testid="retry-form"]`).Length() != 0 || fp.doc(t).Find(`[data-testid="failed-note"]`).Length() != 1 {
			t.Error("a failed job offers Retry")
		}
		if r := admin.post(fpath+"/retry", nil); r.status != 422 {
			t.Errorf("retry of a failed job: %d", r.status)
		}
		if r := e.signedIn(e.operator).post(fpath+"/resolve", url.Values{"resolve_comment": {"called the prospect"}}); r.status != 303 {
			t.Fatalf("resolve: %d", r.status)
		}
		j, _ = js.Job(ctx, failed.ID)
		if j.Status != storage.StatusResolved {
			t.Fatalf("status %s", j.Status)
		}
		entries, _, _ = s.AuditLog(ctx, storage.AllTenants(), storage.AuditFilter{Action: "submission.resolve"})
		if len(entries) != 1 || entries[0].TenantID != e.tenantA.ID || !strings.Contains(string(entries[0].After), "called the prospect") {
			t.Errorf("resolve audit %+v", entries)
		}
		for _, at := range []time.Time{e.clock.Now(), e.clock.Now().Add(48 * time.Hour)} {
			if c, err := js.ClaimDue(ctx, "worker", time.Minute, at); err != nil || (c != nil && c.ID == failed.ID) {
				t.Errorf("a resolved job was claimed at %v: %v", at, err)
			}
		}
		if err := (&provision.Runner{}).Run(ctx, j, nil); err != nil || j.Status != storage.StatusResolved {
			t.Errorf("the runner acted on a resolved job: %v %s", err, j.Status)
		}
		if r := admin.post(fpath+"/resolve", url.Values{"resolve_comment": {"again"}}); r.status != 422 {
			t.Errorf("resolving twice: %d", r.status)
		}
	})
}
