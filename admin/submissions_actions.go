package admin

import (
	"strconv"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/storage"
)

// maxComment is the longest review comment kept.
const maxComment = 1000

// reviewAction is one of the review POSTs: it reads and checks its input
// (fe: field errors), then acts through the store.
type reviewAction struct {
	name  string // audit action suffix and flash key
	flash string
	input func(c *fiber.Ctx, vm *components.AdminSubmissionVM, fe map[string]string) (txID int64)
	act   func(h *handlers, c *fiber.Ctx, s storage.Submission, txID int64, note string) (before, after storage.Submission, err error)
	note  func(vm components.AdminSubmissionVM) string
}

// comment reads a comment field, required or not.
func comment(c *fiber.Ctx, key string, required bool, fe map[string]string) string {
	v := formValue(c, key)
	switch {
	case required && v == "":
		fe[key] = "Write a comment for the record: what you checked or did"
	case utf8.RuneCountInString(v) > maxComment:
		fe[key] = "Keep the comment under 1000 characters"
	}
	return v
}

var (
	retryAction = reviewAction{
		name: "retry", flash: "retried",
		input: func(c *fiber.Ctx, vm *components.AdminSubmissionVM, fe map[string]string) int64 {
			vm.RetryComment = comment(c, "retry_comment", false, fe)
			return 0
		},
		act: func(h *handlers, c *fiber.Ctx, s storage.Submission, _ int64, note string) (storage.Submission, storage.Submission, error) {
			return h.Store.Submissions().RetrySubmission(c.UserContext(), tenantScope(c), s.Job.ID, actor(c).Email, note, h.Now())
		},
		note: func(vm components.AdminSubmissionVM) string { return vm.RetryComment },
	}
	confirmAction = reviewAction{
		name: "confirm_charge", flash: "confirmed",
		input: func(c *fiber.Ctx, vm *components.AdminSubmissionVM, fe map[string]string) int64 {
			vm.TransactionID = formValue(c, "transaction_id")
			vm.ConfirmComment = comment(c, "confirm_comment", true, fe)
			id, err := strconv.ParseInt(vm.TransactionID, 10, 64)
			if err != nil || id <= 0 {
				fe["transaction_id"] = "Enter the transaction id from PortaSwitch, a whole number like 7012"
				return 0
			}
			return id
		},
		act: func(h *handlers, c *fiber.Ctx, s storage.Submission, txID int64, note string) (storage.Submission, storage.Submission, error) {
			return h.Store.Submissions().ConfirmCharge(c.UserContext(), tenantScope(c), s.Job.ID, txID, actor(c).Email, note, h.Now())
		},
		note: func(vm components.AdminSubmissionVM) string { return vm.ConfirmComment },
	}
	resolveAction = reviewAction{
		name: "resolve", flash: "resolved",
		input: func(c *fiber.Ctx, vm *components.AdminSubmissionVM, fe map[string]string) int64 {
			vm.ResolveComment = comment(c, "resolve_comment", true, fe)
			return 0
		},
		act: func(h *handlers, c *fiber.Ctx, s storage.Submission, _ int64, note string) (storage.Submission, storage.Submission, error) {
			return h.Store.Submissions().ResolveSubmission(c.UserContext(), tenantScope(c), s.Job.ID, actor(c).Email, note, h.Now())
		},
		note: func(vm components.AdminSubmissionVM) string { return vm.ResolveComment },
	}
)

func (h *handlers) retrySubmission(c *fiber.Ctx) error   { return h.review(c, retryAction) }
func (h *handlers) confirmCharge(c *fiber.Ctx) error     { return h.review(c, confirmAction) }
func (h *handlers) resolveSubmission(c *fiber.Ctx) error { return h.review(c, resolveAction) }

// review runs a review action on the submission named by :id within scope:
// its input errors, or the store's refusal (the job changed, a charge
// unresolved), re-render the page with 422 and what was typed; success is
// audited and redirects to the page with a confirmation.
func (h *handlers) review(c *fiber.Ctx, a reviewAction) error {
	s, err := h.loadSubmission(c)
	if err != nil {
		return err
	}
	vm, err := h.submissionVM(c, s)
	if err != nil {
		return err
	}
	fe := map[string]string{}
	txID := a.input(c, &vm, fe)
	if len(fe) > 0 {
		vm.FieldErrors = fe
		vm.Errors = errorItems(fe, "transaction_id", "confirm_comment", "retry_comment", "resolve_comment")
		return h.renderSubmission(c, fiber.StatusUnprocessableEntity, vm)
	}
	before, after, err := a.act(h, c, s, txID, a.note(vm))
	if code := forms.ErrorCode(err); code == forms.EConflict || code == forms.EInvalid {
		// Show the job as it is now, with the reason, keeping the input.
		kept := vm
		if fresh, lerr := h.loadSubmission(c); lerr == nil {
			if vm, lerr = h.submissionVM(c, fresh); lerr != nil {
				return lerr
			}
		}
		vm.RetryComment, vm.ConfirmComment, vm.ResolveComment, vm.TransactionID =
			kept.RetryComment, kept.ConfirmComment, kept.ResolveComment, kept.TransactionID
		vm.Errors = []components.ErrorItemVM{{Key: "review", Message: forms.ErrorMessage(err)}}
		return h.renderSubmission(c, fiber.StatusUnprocessableEntity, vm)
	}
	if err != nil {
		return err
	}
	after.Notes, before.Notes = nil, nil
	ba, aa := auditView(before), auditView(after)
	if n := a.note(vm); n != "" {
		aa["comment"] = n
	}
	if err := h.audit(c, after.TenantID, "submission."+a.name, "submission", strconv.FormatInt(after.Job.ID, 10), ba, aa); err != nil {
		return err
	}
	return redirectDone(c, components.AdminSubmissionURL(after.Job.ID), a.flash)
}
