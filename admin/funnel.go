package admin

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/internal/web"
	"websignup/storage"
)

// funnelDefaultDays is the period the funnel shows without one chosen.
const funnelDefaultDays = 30

// funnelPresets are the quick periods offered, in days up to today.
var funnelPresets = []int{7, 30, 90}

// funnel shows how far a form's prospects got over a period (from, to:
// days, both included; default the last 30 days): a bar per wizard step,
// Sign up and its outcomes. A bad date answers 422 with the default period.
func (h *handlers) funnel(c *fiber.Ctx) error {
	f, nav, err := h.loadSubForm(c, "funnel")
	if err != nil {
		return err
	}
	today := h.Now().UTC()
	fromText, toText := formQuery(c, "from"), formQuery(c, "to")
	fe := map[string]string{}
	from, to := parseDays(fromText, toText, fe)
	if to.IsZero() {
		to = today
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -(funnelDefaultDays - 1))
	}
	if to.Before(from) {
		fe["to"] = "The last day is before the first day"
		from, to = today.AddDate(0, 0, -(funnelDefaultDays-1)), today
	}
	fn, err := h.Store.Funnel(c.UserContext(), f.ID, from, to)
	if err != nil {
		return fmt.Errorf("funnel of form %d: %w", f.ID, err)
	}
	vm := funnelVM(fn, f.ID, f.Name)
	vm.Nav = nav
	vm.FieldErrors, vm.FilterErrors = fe, errorItems(fe, "from", "to")
	vm.From, vm.To = fn.From.Format(time.DateOnly), fn.To.Format(time.DateOnly)
	if len(fe) > 0 {
		vm.From, vm.To = fromText, toText
	}
	for _, d := range funnelPresets {
		pf := today.AddDate(0, 0, -(d - 1)).Format(time.DateOnly)
		pt := today.Format(time.DateOnly)
		vm.Presets = append(vm.Presets, components.AdminLink{
			Label:   "Last " + strconv.Itoa(d) + " days",
			URL:     nav.FunnelURL + "?" + url.Values{"from": {pf}, "to": {pt}}.Encode(),
			Current: pf == fn.From.Format(time.DateOnly) && pt == fn.To.Format(time.DateOnly),
		})
	}
	status := fiber.StatusOK
	if len(fe) > 0 {
		status = fiber.StatusUnprocessableEntity
	}
	return web.Render(c, status, components.AdminFunnel(h.subPage(c, "Funnel of "+f.Name), vm))
}

// funnelVM lays out the funnel's bars, their shares of the sessions
// started, and the chart's text alternative.
func funnelVM(fn storage.Funnel, formID int64, formName string) components.AdminFunnelVM {
	started := fn.Steps[storage.FunnelStarted]
	days := int(fn.To.Sub(fn.From).Hours()/24) + 1
	vm := components.AdminFunnelVM{
		Period: fmt.Sprintf("%s to %s (%d days, UTC)", fn.From.Format("2 Jan 2006"), fn.To.Format("2 Jan 2006"), days),
		Empty:  started == 0 && fn.SignedUp == 0,
	}
	period := url.Values{"from": {fn.From.Format(time.DateOnly)}, "to": {fn.To.Format(time.DateOnly)}}
	list := func(status string) string {
		v := url.Values{"from": period["from"], "to": period["to"]}
		if status != "" {
			v.Set("status", status)
		}
		return components.AdminFormSubmissionsURL(formID) + "?" + v.Encode()
	}
	add := func(key, label, kind string, n int64, link string) {
		b := components.AdminFunnelBar{Key: key, Label: label, Kind: kind, Count: n, URL: link}
		if key != "started" && started > 0 {
			b.Percent = strconv.FormatInt((n*100+started/2)/started, 10) + "%"
		}
		vm.Bars = append(vm.Bars, b)
		vm.Max = max(vm.Max, n)
	}
	add("started", "Started (plan chosen)", "step", started, "")
	add("address", "Details entered", "step", fn.Steps[storage.FunnelAddress], "")
	add("phone", "Number and phone chosen", "step", fn.Steps[storage.FunnelPhone], "")
	add("payment", "Payment done, at summary", "step", fn.Steps[storage.FunnelPayment], "")
	add("signed_up", "Signed up", "signup", fn.SignedUp, list(""))
	add("completed", "Completed", "good", fn.Completed, list("completed"))
	add("failed", "Failed or declined", "bad", fn.Failed, list("unsuccessful"))
	add("needs_review", "Needs review", "review", fn.NeedsReview, list("needs_review"))
	if fn.Resolved > 0 {
		add("resolved", "Resolved after review", "other", fn.Resolved, list("resolved"))
	}
	if fn.InProgress > 0 {
		add("in_progress", "Still in progress", "other", fn.InProgress, list("in_progress"))
	}
	parts := make([]string, len(vm.Bars))
	for i, b := range vm.Bars {
		parts[i] = fmt.Sprintf("%s %d", strings.ToLower(b.Label), b.Count)
	}
	vm.Summary = fmt.Sprintf("Funnel of %s, %s: %s.", formName, vm.Period, strings.Join(parts, ", "))
	return vm
}
