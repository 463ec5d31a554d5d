package components

import (
	"fmt"
	"strconv"
)

// AdminFormSubmissionsURL is the address of a form's submissions list.
func AdminFormSubmissionsURL(formID int64) string {
	return "/admin/forms/" + strconv.FormatInt(formID, 10) + "/submissions"
}

// AdminFormFunnelURL is the address of a form's funnel.
func AdminFormFunnelURL(formID int64) string {
	return "/admin/forms/" + strconv.FormatInt(formID, 10) + "/funnel"
}

// AdminSubmissionURL is the address of one submission.
func AdminSubmissionURL(id int64) string { return "/admin/submissions/" + strconv.FormatInt(id, 10) }

// AdminSubNav is the header every page about one form's submissions
// shares: the form's name and links to its submissions, funnel and editor.
type AdminSubNav struct {
	FormName       string
	TenantName     string // shown to operators; "" hides it
	SubmissionsURL string
	FunnelURL      string
	EditURL        string // "" when the user may not open the editor
	Current        string // "submissions" or "funnel"
}

// AdminSubmissionsHubVM lists the forms whose submissions the user may see.
type AdminSubmissionsHubVM struct {
	Forms       []AdminSubmissionsHubRow
	ShowTenants bool
}

// AdminSubmissionsHubRow is one form in the hub.
type AdminSubmissionsHubRow struct {
	Name           string
	TenantName     string
	Slug           string
	SubmissionsURL string
	FunnelURL      string
	Total          int64 // every submission
	Attention      int64 // needs review or failed
	AttentionURL   string
}

// AdminSubmissionsVM is a form's submissions list with its filter.
type AdminSubmissionsVM struct {
	Nav AdminSubNav
	// The filter as typed (kept on the page and in the links).
	Status   string
	Statuses []AdminOption
	From, To string // YYYY-MM-DD or ""
	Query    string
	// FilterErrors are problems with the filter (a date that is not one).
	FilterErrors []ErrorItemVM
	FieldErrors  map[string]string

	Rows               []AdminSubmissionRow
	Total              int64
	RangeFrom, RangeTo int64 // 1-based positions of the rows shown
	PrevURL, NextURL   string
	CSVURL             string // the export of the same filter
	ClearURL           string
	Filtered           bool
}

// AdminSubmissionRow is one submission in the list.
type AdminSubmissionRow struct {
	ID        int64
	URL       string
	Created   string // "2030-05-10 12:00"
	ISO       string
	Name      string
	Email     string
	Number    string
	Plan      string
	Amount    string
	Status    string // human label
	StatusKey string // the status, for styling and tests
	Reference string
}

// AdminKV is one labelled value.
type AdminKV struct {
	Label string
	Value string
	Code  bool // shown as code (ids, references)
}

// AdminSubmissionVM is one submission: what was submitted, how its
// provisioning went, and the review actions.
type AdminSubmissionVM struct {
	Nav          AdminSubNav
	ID           int64
	Reference    string
	Status       string
	StatusKey    string
	Reason       string // what the prospect was told
	LastError    string // safe text for operators
	Created      string
	Updated      string
	VersionLabel string // "Version 3"
	VersionURL   string
	SessionGone  bool

	Answers  []AdminKV
	Order    []AdminKV // plan, number, device, amount, card
	RemoteID []AdminKV // PortaSwitch ids
	Timeline []AdminTimelineItem
	Notes    []AdminReviewNote

	// Actions, for those who may write.
	CanWrite         bool
	CanRetry         bool
	ChargeUnresolved bool
	CanResolve       bool
	FailedNoRetry    bool // failed: explain why there is no retry
	ChargeAmount     string
	RetryURL         string
	ConfirmURL       string
	ResolveURL       string
	CSRFToken        string
	// Input kept after a refused action, and its errors.
	Errors         []ErrorItemVM
	FieldErrors    map[string]string
	RetryComment   string
	ConfirmComment string
	TransactionID  string
	ResolveComment string
}

// AdminTimelineItem is one step of the provisioning job (or an operator's
// action) in time order.
type AdminTimelineItem struct {
	Title      string // "Charge the card"
	Step       string // the step's name, e.g. charge
	Intent     string
	IntentISO  string
	Done       string // "" while unresolved
	Outcome    string // human label
	OutcomeKey string // ok, found, not_found, unknown, declined, fault, confirmed, operator
	RemoteID   AdminKV
	Error      string
	By         string // an operator's action: who
	Note       string // an operator's comment
}

// AdminReviewNote is one operator action as the page lists it.
type AdminReviewNote struct {
	At     string
	By     string
	Action string
	Note   string
}

// AdminFunnelVM is a form's funnel over a period.
type AdminFunnelVM struct {
	Nav            AdminSubNav
	From, To       string // YYYY-MM-DD
	Presets        []AdminLink
	FilterErrors   []ErrorItemVM
	FieldErrors    map[string]string
	Period         string // "1 May – 30 May 2030 (30 days, UTC)"
	Bars           []AdminFunnelBar
	Max            int64
	Summary        string // the chart's text alternative
	Empty          bool
	SubmissionsURL string
}

// AdminLink is a labelled link.
type AdminLink struct {
	Label   string
	URL     string
	Current bool
}

// AdminFunnelBar is one bar of the funnel chart.
type AdminFunnelBar struct {
	Key     string
	Label   string
	Count   int64
	Percent string // of the sessions started, e.g. "42%"; "" for the first
	Kind    string // step, outcome-good, outcome-bad, outcome-review
	URL     string // the submissions behind an outcome; "" for steps
}

// funnelChart lays the bars out for the SVG: one row per bar.
type funnelRow struct {
	Bar            AdminFunnelBar
	Y, Width       int
	LabelY, ValueX int
}

const (
	funnelRowHeight = 38
	funnelBarHeight = 26
	funnelLabelW    = 240
	funnelBarMax    = 520
	funnelWidth     = funnelLabelW + funnelBarMax + 110
)

func funnelRows(vm AdminFunnelVM) []funnelRow {
	rows := make([]funnelRow, len(vm.Bars))
	for i, b := range vm.Bars {
		w := 0
		if vm.Max > 0 {
			w = int(b.Count * funnelBarMax / vm.Max)
		}
		if b.Count > 0 && w < 2 {
			w = 2
		}
		y := 8 + i*funnelRowHeight
		rows[i] = funnelRow{Bar: b, Y: y, Width: w, LabelY: y + funnelBarHeight/2 + 5, ValueX: funnelLabelW + w + 8}
	}
	return rows
}

func funnelHeight(vm AdminFunnelVM) string {
	return strconv.Itoa(16 + len(vm.Bars)*funnelRowHeight)
}

func funnelViewBox(vm AdminFunnelVM) string {
	return fmt.Sprintf("0 0 %d %s", funnelWidth, funnelHeight(vm))
}

func subItoa(n int) string { return strconv.Itoa(n) }

func subI64(n int64) string { return strconv.FormatInt(n, 10) }
