package admin

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/nyaruka/phonenumbers"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/web"
	"websignup/provision"
	"websignup/storage"
)

// This file holds the submissions pages' shared parts, the hub
// (/admin/submissions) and a form's list (/admin/forms/:id/submissions).
// The detail page is submissions_detail.go, the review actions
// submissions_actions.go, the export submissions_csv.go, the funnel
// funnel.go.

// submissionsPageSize is how many submissions a page lists.
const submissionsPageSize = 25

// statusLabels are the job statuses as the admin pages name them.
var statusLabels = map[provision.Status]string{
	provision.StatusPending:     "Starting",
	provision.StatusRunning:     "Running",
	provision.StatusRetrying:    "Retrying",
	provision.StatusCompleted:   "Completed",
	provision.StatusDeclined:    "Card declined",
	provision.StatusCardNeeded:  "Card needed again",
	provision.StatusNeedsReview: "Needs review",
	provision.StatusFailed:      "Failed",
	storage.StatusResolved:      "Resolved",
}

func statusLabel(s provision.Status) string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return string(s)
}

// statusFilters are the status filter's choices: a key and the statuses
// it selects (none: any).
var statusFilters = []struct {
	key, label string
	statuses   []provision.Status
}{
	{"", "Any status", nil},
	{"attention", "Needs attention (review or failed)", []provision.Status{provision.StatusNeedsReview, provision.StatusFailed}},
	{"needs_review", "Needs review", []provision.Status{provision.StatusNeedsReview}},
	{"failed", "Failed", []provision.Status{provision.StatusFailed}},
	{"completed", "Completed", []provision.Status{provision.StatusCompleted}},
	{"in_progress", "In progress", []provision.Status{provision.StatusPending, provision.StatusRunning, provision.StatusRetrying}},
	{"declined", "Card declined or needed", []provision.Status{provision.StatusDeclined, provision.StatusCardNeeded}},
	{"unsuccessful", "Failed or declined", []provision.Status{provision.StatusFailed, provision.StatusDeclined, provision.StatusCardNeeded}},
	{"resolved", "Resolved", []provision.Status{storage.StatusResolved}},
}

// subFilter is a submissions filter as the query string gives it.
type subFilter struct {
	status, from, to, q string
	page                int
}

// values is the filter as a query string (without the page).
func (f subFilter) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"status": f.status, "from": f.from, "to": f.to, "q": f.q} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

func (f subFilter) filtered() bool { return f.status != "" || f.from != "" || f.to != "" || f.q != "" }

// readSubFilter reads the filter from the query string and turns it into
// the store's; fe holds the problems (a bad date is then ignored).
func readSubFilter(c *fiber.Ctx, formID int64) (subFilter, storage.SubmissionFilter, map[string]string) {
	f := subFilter{status: formQuery(c, "status"), from: formQuery(c, "from"), to: formQuery(c, "to"), q: formQuery(c, "q")}
	f.page, _ = strconv.Atoi(c.Query("page"))
	f.page = max(f.page, 1)
	sf := storage.SubmissionFilter{FormID: formID, Query: f.q, Limit: submissionsPageSize,
		Offset: (f.page - 1) * submissionsPageSize}
	known := false
	for _, s := range statusFilters {
		if s.key == f.status {
			sf.Statuses, known = s.statuses, true
		}
	}
	if !known {
		f.status = ""
	}
	fe := map[string]string{}
	sf.From, sf.To = parseDays(f.from, f.to, fe)
	return f, sf, fe
}

// parseDays reads a period's first and last day (YYYY-MM-DD, both
// optional), recording problems in fe under "from" and "to".
func parseDays(from, to string, fe map[string]string) (time.Time, time.Time) {
	var a, b time.Time
	var err error
	if from != "" {
		if a, err = time.Parse(time.DateOnly, from); err != nil {
			fe["from"] = "Enter the first day as a date, like 2030-05-01"
			a = time.Time{}
		}
	}
	if to != "" {
		if b, err = time.Parse(time.DateOnly, to); err != nil {
			fe["to"] = "Enter the last day as a date, like 2030-05-31"
			b = time.Time{}
		}
	}
	if !a.IsZero() && !b.IsZero() && b.Before(a) {
		fe["to"] = "The last day is before the first day"
		b = time.Time{}
	}
	return a, b
}

// loadSubForm loads the form named by :id within the session's tenant
// scope (another tenant's is ENotFound) and the header of its pages.
func (h *handlers) loadSubForm(c *fiber.Ctx, current string) (storage.ScopedForm, components.AdminSubNav, error) {
	id, err := idParam(c)
	if err != nil {
		return storage.ScopedForm{}, components.AdminSubNav{}, err
	}
	f, err := h.scopedForm(c.UserContext(), tenantScope(c), id)
	if err != nil {
		return storage.ScopedForm{}, components.AdminSubNav{}, err
	}
	return f, h.subNav(c, f, current), nil
}

// scopedForm finds one form within scope with its tenant's name.
func (h *handlers) scopedForm(ctx context.Context, scope storage.Scope, id int64) (storage.ScopedForm, error) {
	if _, err := h.Store.FormInScope(ctx, scope, id); err != nil {
		return storage.ScopedForm{}, err
	}
	list, err := h.Store.FormsInScope(ctx, scope)
	if err != nil {
		return storage.ScopedForm{}, fmt.Errorf("forms in scope: %w", err)
	}
	for _, f := range list {
		if f.ID == id {
			return f, nil
		}
	}
	return storage.ScopedForm{}, forms.Errorf(forms.ENotFound, "There is nothing at this address.")
}

func (h *handlers) subNav(c *fiber.Ctx, f storage.ScopedForm, current string) components.AdminSubNav {
	n := components.AdminSubNav{FormName: f.Name, SubmissionsURL: components.AdminFormSubmissionsURL(f.ID),
		FunnelURL: components.AdminFormFunnelURL(f.ID), Current: current}
	if tenantScope(c).All() {
		n.TenantName = f.TenantName
	}
	if h.can(c, ObjForms, ActRead) {
		n.EditURL = formURL(f.ID, "/edit")
	}
	return n
}

// versionCache reads form versions once per request.
type versionCache struct {
	h    *handlers
	ctx  context.Context
	seen map[int64]*forms.Version
}

func (h *handlers) subVersions(ctx context.Context) *versionCache {
	return &versionCache{h: h, ctx: ctx, seen: map[int64]*forms.Version{}}
}

// get returns the version, or nil when it is gone.
func (vc *versionCache) get(id int64) (*forms.Version, error) {
	if v, ok := vc.seen[id]; ok {
		return v, nil
	}
	v, err := vc.h.Store.Version(vc.ctx, id)
	switch {
	case forms.ErrorCode(err) == forms.ENotFound:
		vc.seen[id] = nil
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("form version %d: %w", id, err)
	}
	vc.seen[id] = &v
	return &v, nil
}

// planName is the product's name in the version, or its id.
func planName(v *forms.Version, iProduct int64) string {
	if v != nil {
		if p, ok := v.Config.Product(iProduct); ok {
			return p.Name
		}
	}
	if iProduct == 0 {
		return ""
	}
	return "Product " + strconv.FormatInt(iProduct, 10)
}

// personName is the submission's name as a list shows it.
func personName(o provision.Order) string {
	n := strings.TrimSpace(o.Customer["firstname"] + " " + o.Customer["lastname"])
	if n == "" {
		n = o.Customer["companyname"]
	}
	if n == "" {
		n = "(no name)"
	}
	return n
}

// showNumber formats a number as PortaSwitch lists it (digits) for people.
func showNumber(n string) string {
	if n == "" {
		return ""
	}
	num, err := phonenumbers.Parse("+"+n, "")
	if err != nil || !phonenumbers.IsPossibleNumber(num) {
		return n
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}

// subPage is the layout's view model with Submissions as the current
// navigation entry: a form's submissions and funnel live under
// /admin/forms/, which would otherwise mark Forms.
func (h *handlers) subPage(c *fiber.Ctx, title string) components.AdminPage {
	p := h.page(c, title)
	for i := range p.Nav {
		p.Nav[i].Current = p.Nav[i].Key == "submissions"
	}
	return p
}

func showTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }

// submissionsHub lists the forms within scope with their submissions and
// how many need attention.
func (h *handlers) submissionsHub(c *fiber.Ctx) error {
	ctx := c.UserContext()
	scope := tenantScope(c)
	list, err := h.Store.FormsInScope(ctx, scope)
	if err != nil {
		return fmt.Errorf("submissions hub: %w", err)
	}
	js := h.Store.Submissions()
	vm := components.AdminSubmissionsHubVM{ShowTenants: scope.All()}
	for _, f := range list {
		all, err := js.Submissions(ctx, scope, storage.SubmissionFilter{FormID: f.ID, Limit: 1})
		if err != nil {
			return fmt.Errorf("submissions hub: %w", err)
		}
		att, err := js.Submissions(ctx, scope, storage.SubmissionFilter{FormID: f.ID, Limit: 1,
			Statuses: []provision.Status{provision.StatusNeedsReview, provision.StatusFailed}})
		if err != nil {
			return fmt.Errorf("submissions hub: %w", err)
		}
		vm.Forms = append(vm.Forms, components.AdminSubmissionsHubRow{
			Name: f.Name, TenantName: f.TenantName, Slug: f.Slug,
			SubmissionsURL: components.AdminFormSubmissionsURL(f.ID), FunnelURL: components.AdminFormFunnelURL(f.ID),
			Total: all.Total, Attention: att.Total,
			AttentionURL: components.AdminFormSubmissionsURL(f.ID) + "?status=attention",
		})
	}
	return web.Render(c, fiber.StatusOK, components.AdminSubmissionsHub(h.subPage(c, "Submissions"), vm))
}

// formSubmissions lists a form's submissions, newest first, filtered and
// paged; a filter with a bad date answers 422 with the problem shown.
func (h *handlers) formSubmissions(c *fiber.Ctx) error {
	f, nav, err := h.loadSubForm(c, "submissions")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	filter, sf, fe := readSubFilter(c, f.ID)
	page, err := h.Store.Submissions().Submissions(ctx, tenantScope(c), sf)
	if err != nil {
		return fmt.Errorf("submissions of form %d: %w", f.ID, err)
	}
	base := components.AdminFormSubmissionsURL(f.ID)
	vm := components.AdminSubmissionsVM{
		Nav: nav, Status: filter.status, From: filter.from, To: filter.to, Query: filter.q,
		FieldErrors: fe, FilterErrors: errorItems(fe, "from", "to"),
		Total: page.Total, ClearURL: base, Filtered: filter.filtered(),
	}
	for _, s := range statusFilters {
		vm.Statuses = append(vm.Statuses, components.AdminOption{Value: s.key, Label: s.label, Selected: s.key == filter.status})
	}
	q := filter.values()
	vm.CSVURL = withQuery(components.AdminFormSubmissionsURL(f.ID)+".csv", q)
	pageURL := func(n int) string {
		v := filter.values()
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		return withQuery(base, v)
	}
	if n := len(page.Submissions); n > 0 {
		vm.RangeFrom, vm.RangeTo = int64(sf.Offset)+1, int64(sf.Offset+n)
	}
	if filter.page > 1 {
		vm.PrevURL = pageURL(filter.page - 1)
	}
	if vm.RangeTo < page.Total && len(page.Submissions) > 0 {
		vm.NextURL = pageURL(filter.page + 1)
	}
	vc := h.subVersions(ctx)
	for _, s := range page.Submissions {
		v, err := vc.get(s.Job.VersionID)
		if err != nil {
			return err
		}
		j := s.Job
		vm.Rows = append(vm.Rows, components.AdminSubmissionRow{
			ID: j.ID, URL: components.AdminSubmissionURL(j.ID),
			Created: showTime(j.CreatedAt), ISO: j.CreatedAt.UTC().Format(time.RFC3339),
			Name: personName(j.Order), Email: j.Order.Customer["email"], Number: showNumber(j.Order.Number),
			Plan: planName(v, j.Order.IProduct), Amount: j.Order.Charge.String(),
			Status: statusLabel(j.Status), StatusKey: string(j.Status), Reference: j.Reference,
		})
	}
	status := fiber.StatusOK
	if len(fe) > 0 {
		status = fiber.StatusUnprocessableEntity
	}
	return web.Render(c, status, components.AdminSubmissions(h.subPage(c, "Submissions of "+f.Name), vm))
}

func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}
