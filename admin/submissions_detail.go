package admin

import (
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/web"
	"websignup/provision"
	"websignup/storage"
)

// stepTitles name the provisioning steps on the timeline.
var stepTitles = map[string]string{
	provision.StepCustomer:        "Create the customer",
	provision.StepPaymentMethod:   "Register the card",
	provision.StepCharge:          "Charge the card",
	provision.StepAssignNumber:    "Assign the number",
	provision.StepAccount:         "Create the account",
	provision.StepNumberToAccount: "Put the number on the account",
	provision.StepDevice:          "Assign the phone",
	provision.StepTerminate:       "Remove the customer (undo)",
}

// stepIDs name the PortaSwitch id each step produces.
var stepIDs = map[string]string{
	provision.StepCustomer:        "i_customer",
	provision.StepPaymentMethod:   "i_payment_method",
	provision.StepCharge:          "i_payment_transaction",
	provision.StepAssignNumber:    "i_did_number",
	provision.StepAccount:         "i_account",
	provision.StepNumberToAccount: "i_did_number",
	provision.StepDevice:          "i_ua",
	provision.StepTerminate:       "i_customer",
}

var outcomeLabels = map[string]string{
	provision.OutcomeOK:       "Done",
	provision.OutcomeFound:    "Found: done earlier",
	provision.OutcomeNotFound: "Looked up: not found",
	provision.OutcomeUnknown:  "Outcome unknown",
	provision.OutcomeDeclined: "Declined",
	provision.OutcomeFault:    "Refused by PortaSwitch",
	storage.OutcomeConfirmed:  "Confirmed by an operator",
}

var reviewLabels = map[string]string{
	storage.ReviewRetry:           "Retried by an operator",
	storage.ReviewChargeConfirmed: "Charge confirmed by an operator",
	storage.ReviewResolved:        "Marked resolved",
}

// submissionFlashes are the confirmations of the review actions.
var submissionFlashes = map[string]string{
	"retried":   "The signup is queued again; the worker resumes it within seconds.",
	"confirmed": "Charge confirmed. You can retry the signup now.",
	"resolved":  "Marked resolved.",
}

// loadSubmission loads the submission named by :id within scope.
func (h *handlers) loadSubmission(c *fiber.Ctx) (storage.Submission, error) {
	id, err := idParam(c)
	if err != nil {
		return storage.Submission{}, err
	}
	return h.Store.Submissions().Submission(c.UserContext(), tenantScope(c), id)
}

// submission shows one submission.
func (h *handlers) submission(c *fiber.Ctx) error {
	s, err := h.loadSubmission(c)
	if err != nil {
		return err
	}
	vm, err := h.submissionVM(c, s)
	if err != nil {
		return err
	}
	return h.renderSubmission(c, fiber.StatusOK, vm)
}

func (h *handlers) renderSubmission(c *fiber.Ctx, status int, vm components.AdminSubmissionVM) error {
	p := h.subPage(c, "Submission "+strconv.FormatInt(vm.ID, 10))
	if m := submissionFlashes[c.Query("done")]; m != "" {
		p.Flash = m
	}
	return web.Render(c, status, components.AdminSubmission(p, vm))
}

// submissionVM builds the detail page of s.
func (h *handlers) submissionVM(c *fiber.Ctx, s storage.Submission) (components.AdminSubmissionVM, error) {
	ctx := c.UserContext()
	j := s.Job
	f, err := h.scopedForm(ctx, tenantScope(c), j.FormID)
	if err != nil {
		return components.AdminSubmissionVM{}, err
	}
	v, err := h.subVersions(ctx).get(j.VersionID)
	if err != nil {
		return components.AdminSubmissionVM{}, err
	}
	vm := components.AdminSubmissionVM{
		Nav: h.subNav(c, f, "submissions"), ID: j.ID, Reference: j.Reference,
		Status: statusLabel(j.Status), StatusKey: string(j.Status), LastError: j.LastError,
		Created: showTime(j.CreatedAt), Updated: showTime(j.UpdatedAt), SessionGone: !s.SessionFound,
		VersionLabel: "Version unknown", CSRFToken: web.CSRFToken(c), FieldErrors: map[string]string{},
	}
	if j.Status != provision.StatusCompleted {
		vm.Reason = j.Reason
	}
	if s.VersionNumber > 0 {
		vm.VersionLabel = "Form version " + strconv.Itoa(s.VersionNumber)
		if h.can(c, ObjForms, ActRead) {
			vm.VersionURL = formURL(j.FormID, "/versions")
		}
	}
	vm.Answers = answerFacts(s, v)
	vm.Order = orderFacts(s, v)
	vm.RemoteID = remoteIDs(j)
	vm.Timeline = timeline(s)
	vm.CanWrite = h.can(c, ObjSubmissions, ActWrite)
	vm.CanRetry, vm.ChargeUnresolved, vm.CanResolve = s.CanRetry(), s.ChargeUnresolved() && j.Status == provision.StatusNeedsReview, s.CanResolve()
	vm.FailedNoRetry = j.Status == provision.StatusFailed
	vm.ChargeAmount = j.Order.Charge.String()
	base := components.AdminSubmissionURL(j.ID)
	vm.RetryURL, vm.ConfirmURL, vm.ResolveURL = base+"/retry", base+"/confirm-charge", base+"/resolve"
	return vm, nil
}

// answerFacts lists the answers in the version's field order with their
// labels; without the session, the customer details the job sent.
func answerFacts(s storage.Submission, v *forms.Version) []components.AdminKV {
	answers := s.Answers
	if answers == nil {
		answers = forms.Answers{}
		for k, val := range s.Job.Order.Customer {
			answers[k] = val
		}
	}
	var out []components.AdminKV
	done := map[string]bool{}
	if v != nil {
		for _, fd := range v.Config.Fields {
			if val, ok := answers[fd.Key]; ok && val != "" {
				out = append(out, components.AdminKV{Label: fd.Label, Value: val})
				done[fd.Key] = true
			}
		}
	}
	keys := make([]string, 0, len(answers))
	for k := range answers {
		if !done[k] && answers[k] != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, components.AdminKV{Label: k, Value: answers[k]})
	}
	if len(out) == 0 {
		out = append(out, components.AdminKV{Label: "Answers", Value: "—"})
	}
	return out
}

// orderFacts are the plan, number, device, amount and card.
func orderFacts(s storage.Submission, v *forms.Version) []components.AdminKV {
	o := s.Job.Order
	device := "—"
	switch {
	case o.BYOD:
		device = "Their own phone"
	case o.IUAType != 0:
		device = "Phone type " + strconv.FormatInt(o.IUAType, 10)
		if v != nil {
			if d, ok := v.Config.Device(o.IUAType); ok {
				device = d.Name
			}
		}
	}
	card := "—"
	if s.CardLast4 != "" {
		card = s.CardBrand + " ending " + s.CardLast4
	}
	amount := o.Charge.String()
	if o.Charge.Amount == 0 {
		amount = "Nothing charged"
	}
	return []components.AdminKV{
		{Label: "Plan", Value: planName(v, o.IProduct)},
		{Label: "Number", Value: showNumber(o.Number)},
		{Label: "Device", Value: device},
		{Label: "Amount", Value: amount},
		{Label: "Card", Value: card},
	}
}

// remoteIDs are the PortaSwitch ids the job created or found.
func remoteIDs(j *provision.Job) []components.AdminKV {
	var out []components.AdminKV
	for _, id := range []struct {
		label string
		v     int64
	}{
		{"i_customer", j.ICustomer}, {"i_payment_method", j.IPaymentMethod},
		{"i_payment_transaction", j.ITransaction}, {"i_did_number", j.IDidNumber},
		{"i_account", j.IAccount}, {"i_ua", j.IUA},
	} {
		if id.v != 0 {
			out = append(out, components.AdminKV{Label: id.label, Value: strconv.FormatInt(id.v, 10), Code: true})
		}
	}
	return out
}

// timeline merges the job's steps and the operators' actions in time
// order (a step before an action at the same time).
func timeline(s storage.Submission) []components.AdminTimelineItem {
	type entry struct {
		at   time.Time
		item components.AdminTimelineItem
	}
	var es []entry
	for _, st := range s.Job.Steps {
		it := components.AdminTimelineItem{Title: stepTitles[st.Name], Step: st.Name,
			Intent: st.Intent.UTC().Format("2006-01-02 15:04:05"), IntentISO: st.Intent.UTC().Format(time.RFC3339),
			Error: st.Error, OutcomeKey: st.Outcome, Outcome: outcomeLabels[st.Outcome]}
		if it.Title == "" {
			it.Title = st.Name
		}
		if !st.Done.IsZero() {
			it.Done = st.Done.UTC().Format("2006-01-02 15:04:05")
		}
		if st.Outcome == "" || st.Done.IsZero() {
			it.OutcomeKey, it.Outcome = "pending", "Started, no result recorded"
		} else if it.Outcome == "" {
			it.Outcome = st.Outcome
		}
		if st.RemoteID != 0 {
			it.RemoteID = components.AdminKV{Label: stepIDs[st.Name], Value: strconv.FormatInt(st.RemoteID, 10)}
		}
		es = append(es, entry{st.Intent, it})
	}
	for _, n := range s.Notes {
		it := components.AdminTimelineItem{Title: reviewLabels[n.Action], Step: "review:" + n.Action,
			Intent: n.At.UTC().Format("2006-01-02 15:04:05"), IntentISO: n.At.UTC().Format(time.RFC3339),
			OutcomeKey: "operator", Outcome: "Operator", By: n.By, Note: n.Note}
		if n.TransactionID != 0 {
			it.RemoteID = components.AdminKV{Label: "i_payment_transaction", Value: strconv.FormatInt(n.TransactionID, 10)}
		}
		es = append(es, entry{n.At, it})
	}
	slices.SortStableFunc(es, func(a, b entry) int { return a.at.Compare(b.at) })
	out := make([]components.AdminTimelineItem, len(es))
	for i, e := range es {
		out[i] = e.item
	}
	return out
}

// auditView is a submission as the audit log records it.
func auditView(s storage.Submission) map[string]any {
	return map[string]any{"status": string(s.Job.Status), "i_payment_transaction": s.Job.ITransaction,
		"reference": s.Job.Reference}
}
