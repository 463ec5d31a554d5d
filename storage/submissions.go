package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"websignup/forms"
	"websignup/provision"
)

// StatusResolved is the status of a job an operator marked resolved after
// review (migration 60). It is settled: Status.Settled reports true, the
// runner does nothing with it and ClaimDue never hands it out.
const StatusResolved provision.Status = "resolved"

// OutcomeConfirmed is the outcome of a charge StepRecord that an operator
// added after finding the charge in PortaSwitch (ConfirmCharge). Like any
// outcome other than declined or fault, it counts as charged.
const OutcomeConfirmed = "confirmed"

// Review actions, as ReviewNote.Action records them.
const (
	ReviewRetry           = "retry"
	ReviewChargeConfirmed = "charge_confirmed"
	ReviewResolved        = "resolved"
)

// ReviewNote is one operator action on a job: a retry, a confirmed charge
// or a resolution, with who, when and their comment.
type ReviewNote struct {
	At            time.Time
	By            string // the admin's email
	Action        string // ReviewRetry, ReviewChargeConfirmed or ReviewResolved
	Note          string
	TransactionID int64 // the confirmed i_payment_transaction (ReviewChargeConfirmed)
}

type reviewNoteDoc struct {
	At            time.Time `json:"at"`
	By            string    `json:"by"`
	Action        string    `json:"action"`
	Note          string    `json:"note,omitempty"`
	TransactionID int64     `json:"transaction_id,omitempty"`
}

// Submission is a Sign up attempt as the admin area shows it: the
// provisioning job (never its credentials) with its form, the form version
// it was made against, and what the wizard session still holds (answers,
// the card's brand and last four digits; empty if the session is gone).
type Submission struct {
	Job           *provision.Job
	TenantID      int64
	FormName      string
	VersionNumber int // 0 when the version is gone
	// SessionFound is false when the wizard session no longer exists.
	SessionFound bool
	Answers      forms.Answers
	Device       string
	CardBrand    string
	CardLast4    string
	Notes        []ReviewNote
}

// ChargeUnresolved reports whether the job may have charged the card but no
// transaction was found or confirmed: an operator must confirm the charge
// (ConfirmCharge) before a retry may resume it.
func (s Submission) ChargeUnresolved() bool {
	j := s.Job
	return j.ITransaction == 0 && j.Order.Charge.Amount > 0 && j.Charged()
}

// CanRetry reports whether RetrySubmission would accept the job now.
func (s Submission) CanRetry() bool {
	return s.Job.Status == provision.StatusNeedsReview && !s.ChargeUnresolved()
}

// CanResolve reports whether ResolveSubmission would accept the job now.
func (s Submission) CanResolve() bool {
	return s.Job.Status == provision.StatusNeedsReview || s.Job.Status == provision.StatusFailed
}

// SubmissionFilter selects submissions.
type SubmissionFilter struct {
	// FormID limits the list to one form (0: every form within scope).
	FormID int64
	// Statuses limits the list to jobs in these statuses; empty: any.
	Statuses []provision.Status
	// From and To limit the list to jobs created on these UTC days, both
	// included; a zero time leaves that end open.
	From, To time.Time
	// Query searches, case-insensitively, the name (first, last, company),
	// email, number (digits, however typed) and reference.
	Query string
	// Limit is the page size (default 25, at most 500), Offset skips; All
	// returns every match (at most MaxSubmissionsExport) for an export.
	Limit, Offset int
	All           bool
}

// MaxSubmissionsExport is the most rows an export (SubmissionFilter.All)
// returns.
const MaxSubmissionsExport = 100000

// SubmissionPage is one page of Submissions.
type SubmissionPage struct {
	Submissions []Submission // newest first
	Total       int64        // matches over all pages
}

// submissionRow is a provision_jobs row with what the joins add.
type submissionRow struct {
	Job           jobRecord `gorm:"embedded"`
	ReviewNotes   string    `gorm:"column:review_notes"`
	TenantID      int64     `gorm:"column:tenant_id"`
	FormName      string    `gorm:"column:form_name"`
	VersionNumber *int      `gorm:"column:version_number"`
	Progress      *string   `gorm:"column:progress"`
	CardBrand     *string   `gorm:"column:card_brand"`
	CardLast4     *string   `gorm:"column:card_last4"`
}

const submissionSelect = `provision_jobs.*, forms.tenant_id AS tenant_id, forms.name AS form_name,
	form_versions.number AS version_number, wizard_sessions.progress AS progress,
	wizard_sessions.card_brand AS card_brand, wizard_sessions.card_last4 AS card_last4`

// submissionQuery is the scoped base query of submissions.
func (js *JobStore) submissionQuery(tx *gorm.DB, scope Scope) *gorm.DB {
	q := tx.Table("provision_jobs").Select(submissionSelect).
		Joins("JOIN forms ON forms.id = provision_jobs.form_id").
		Joins("LEFT JOIN form_versions ON form_versions.id = provision_jobs.version_id").
		Joins("LEFT JOIN wizard_sessions ON wizard_sessions.id_hash = provision_jobs.session_hash")
	return scope.where(q, "forms.tenant_id")
}

func (js *JobStore) submission(r *submissionRow) (Submission, error) {
	r.Job.CredentialsSealed = "" // never leaves the job store for the admin area
	j, err := js.job(&r.Job, utcNow())
	if err != nil {
		return Submission{}, err
	}
	s := Submission{Job: j, TenantID: r.TenantID, FormName: r.FormName}
	if r.VersionNumber != nil {
		s.VersionNumber = *r.VersionNumber
	}
	if r.Progress != nil {
		s.SessionFound = true
		d, err := decodeProgress(*r.Progress)
		if err != nil {
			return Submission{}, fmt.Errorf("decode progress of job %d: %w", r.Job.ID, err)
		}
		s.Answers, s.Device = d.Answers, d.Device
	}
	if r.CardBrand != nil && r.CardLast4 != nil {
		s.CardBrand, s.CardLast4 = *r.CardBrand, *r.CardLast4
	}
	notes, err := decodeNotes(r.ReviewNotes)
	if err != nil {
		return Submission{}, fmt.Errorf("decode review notes of job %d: %w", r.Job.ID, err)
	}
	s.Notes = notes
	return s, nil
}

func decodeNotes(raw string) ([]ReviewNote, error) {
	if raw == "" {
		return nil, nil
	}
	var docs []reviewNoteDoc
	if err := json.Unmarshal([]byte(raw), &docs); err != nil {
		return nil, err
	}
	out := make([]ReviewNote, len(docs))
	for i, d := range docs {
		out[i] = ReviewNote{At: d.At.UTC(), By: d.By, Action: d.Action, Note: d.Note, TransactionID: d.TransactionID}
	}
	return out, nil
}

func appendNote(raw string, n ReviewNote) (string, error) {
	var docs []reviewNoteDoc
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &docs); err != nil {
			return "", fmt.Errorf("decode review notes: %w", err)
		}
	}
	docs = append(docs, reviewNoteDoc{At: dbTime(n.At), By: n.By, Action: n.Action, Note: n.Note, TransactionID: n.TransactionID})
	b, err := json.Marshal(docs)
	if err != nil {
		return "", fmt.Errorf("encode review notes: %w", err)
	}
	return string(b), nil
}

// dayStart is the start of t's UTC day.
func dayStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Submissions returns the submissions within scope matching f, newest
// first, one page at a time (all of them with f.All). A text query is
// narrowed in SQL and then matched exactly on the fields it names.
func (js *JobStore) Submissions(ctx context.Context, scope Scope, f SubmissionFilter) (SubmissionPage, error) {
	q := js.s.db.WithContext(ctx).Table("provision_jobs").
		Joins("JOIN forms ON forms.id = provision_jobs.form_id")
	q = scope.where(q, "forms.tenant_id")
	if f.FormID != 0 {
		q = q.Where("provision_jobs.form_id = ?", f.FormID)
	}
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			st[i] = string(s)
		}
		q = q.Where("provision_jobs.status IN ?", st)
	}
	if !f.From.IsZero() {
		q = q.Where("provision_jobs.created_at >= ?", dayStart(f.From))
	}
	if !f.To.IsZero() {
		q = q.Where("provision_jobs.created_at < ?", dayStart(f.To).AddDate(0, 0, 1))
	}
	query := strings.ToLower(strings.TrimSpace(f.Query))
	if query != "" {
		q = narrowSearch(q, query)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 25
	}
	limit = min(limit, 500)
	offset := max(f.Offset, 0)
	if f.All {
		limit, offset = MaxSubmissionsExport, 0
	}
	// q selects the matching jobs' ids; the rows come with their joins.
	ids := q.Select("provision_jobs.id")
	list := js.submissionQuery(js.s.db.WithContext(ctx), scope).
		Where("provision_jobs.id IN (?)", ids).Order("provision_jobs.id DESC")

	var page SubmissionPage
	var rows []submissionRow
	if query == "" {
		if err := js.s.db.WithContext(ctx).Table("(?) AS matches", ids).Count(&page.Total).Error; err != nil {
			return SubmissionPage{}, fmt.Errorf("count submissions: %w", err)
		}
		if err := list.Limit(limit).Offset(offset).Find(&rows).Error; err != nil {
			return SubmissionPage{}, fmt.Errorf("list submissions: %w", err)
		}
	} else {
		// The SQL narrowing is a superset (it also matches the order's keys);
		// the exact match and the page are made here.
		var all []submissionRow
		if err := list.Limit(MaxSubmissionsExport).Find(&all).Error; err != nil {
			return SubmissionPage{}, fmt.Errorf("search submissions: %w", err)
		}
		var hits []submissionRow
		for _, r := range all {
			if r.matches(query) {
				hits = append(hits, r)
			}
		}
		page.Total = int64(len(hits))
		if offset < len(hits) {
			rows = hits[offset:min(offset+limit, len(hits))]
		}
	}
	for i := range rows {
		s, err := js.submission(&rows[i])
		if err != nil {
			return SubmissionPage{}, err
		}
		page.Submissions = append(page.Submissions, s)
	}
	return page, nil
}

// digitsOf returns the digits of s.
func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// phoneLike reports whether s could be a phone number as typed: digits
// with spaces, dashes, dots, parentheses or a leading plus.
func phoneLike(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) && !strings.ContainsRune(" +-().", r) {
			return false
		}
	}
	return digitsOf(s) != ""
}

// narrowSearch adds a SQL condition that every match of query satisfies.
// The order's JSON holds the name, email and number; the query is escaped
// as JSON would store it. SQLite's lower() folds ASCII only, so a query
// with other letters is left to the exact match.
func narrowSearch(q *gorm.DB, query string) *gorm.DB {
	for _, r := range query {
		if r > unicode.MaxASCII {
			return q
		}
	}
	// Every word is in the order or the reference ("ada lovelace" spans
	// two values), or the digits are in the order (a number as typed).
	var words []string
	var args []any
	for _, w := range strings.Fields(query) {
		b, _ := json.Marshal(w) // a string always marshals
		needle := "%" + escapeLike(strings.Trim(string(b), `"`)) + "%"
		words = append(words, "(lower(provision_jobs.order_json) LIKE ? ESCAPE '\\' OR lower(provision_jobs.reference) LIKE ? ESCAPE '\\')")
		args = append(args, needle, needle)
	}
	cond := "(" + strings.Join(words, " AND ") + ")"
	if phoneLike(query) {
		cond += " OR provision_jobs.order_json LIKE ?"
		args = append(args, "%"+digitsOf(query)+"%")
	}
	return q.Where("("+cond+")", args...)
}

// matches reports whether query (lower case) is in the row's name, email,
// number or reference.
func (r submissionRow) matches(query string) bool {
	var o orderDoc
	if err := json.Unmarshal([]byte(r.Job.OrderJSON), &o); err != nil {
		return false
	}
	c := o.Customer
	fields := []string{
		strings.TrimSpace(c["firstname"] + " " + c["lastname"]), c["companyname"], c["email"],
	}
	if r.Job.Reference != nil {
		fields = append(fields, *r.Job.Reference)
	}
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), query) {
			return true
		}
	}
	if phoneLike(query) {
		return strings.Contains(o.Number, digitsOf(query))
	}
	return false
}

// Submission returns the submission (job) id within scope, or ENotFound
// (also for another tenant's).
func (js *JobStore) Submission(ctx context.Context, scope Scope, id int64) (Submission, error) {
	return js.submissionTx(js.s.db.WithContext(ctx), scope, id, false)
}

func (js *JobStore) submissionTx(tx *gorm.DB, scope Scope, id int64, lock bool) (Submission, error) {
	q := js.submissionQuery(tx, scope).Where("provision_jobs.id = ?", id)
	if lock && js.s.dialect == Postgres {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate, Table: clause.Table{Name: "provision_jobs"}})
	}
	var rows []submissionRow
	if err := q.Limit(1).Find(&rows).Error; err != nil {
		return Submission{}, fmt.Errorf("get submission: %w", err)
	}
	if len(rows) == 0 {
		return Submission{}, forms.Errorf(forms.ENotFound, "There is no such submission.")
	}
	return js.submission(&rows[0])
}

// review runs change on the submission id within scope in one transaction
// (the job's row locked on PostgreSQL; SQLite's write transactions are
// exclusive), and returns the submission before and after.
func (js *JobStore) review(ctx context.Context, scope Scope, id int64,
	change func(tx *gorm.DB, s Submission, notes string) error) (before, after Submission, err error) {
	err = js.s.write(ctx, func(tx *gorm.DB) error {
		s, err := js.submissionTx(tx, scope, id, true)
		if err != nil {
			return err
		}
		var raw []string
		if err := tx.Raw(`SELECT review_notes FROM provision_jobs WHERE id = ?`, id).Scan(&raw).Error; err != nil {
			return fmt.Errorf("read review notes: %w", err)
		}
		notes := "[]"
		if len(raw) == 1 {
			notes = raw[0]
		}
		before = s
		if err := change(tx, s, notes); err != nil {
			return err
		}
		after, err = js.submissionTx(tx, scope, id, false)
		return err
	})
	return before, after, err
}

// errChanged is the answer when a job's status moved between the page and
// the action (another operator, or the worker).
var errChanged = forms.Errorf(forms.EConflict, "This signup changed in the meantime. Look at it again before acting.")

// RetrySubmission puts a needs_review job back to retrying, due now and
// without a lease, so the next worker poll resumes it. The runner looks up
// before acting again and never repeats a charge. It refuses (EConflict)
// a job whose charge is unresolved until ConfirmCharge, a failed job (it
// removed everything it created and cannot resume without the prospect's
// card) and any job not in needs_review. ENotFound outside scope.
func (js *JobStore) RetrySubmission(ctx context.Context, scope Scope, id int64, by, note string, now time.Time) (before, after Submission, err error) {
	now = dbTime(now)
	return js.review(ctx, scope, id, func(tx *gorm.DB, s Submission, notes string) error {
		switch {
		case s.Job.Status == provision.StatusFailed:
			return forms.Errorf(forms.EConflict, "A failed signup removed what it created and charged nothing; it cannot be resumed without the prospect's card. Mark it resolved; the prospect can sign up again.")
		case s.Job.Status != provision.StatusNeedsReview:
			return errChanged
		case s.ChargeUnresolved():
			return forms.Errorf(forms.EConflict, "The charge of this signup is unresolved. Find it in PortaSwitch and confirm it first, or mark the signup resolved.")
		}
		notes, err := appendNote(notes, ReviewNote{At: now, By: by, Action: ReviewRetry, Note: note})
		if err != nil {
			return err
		}
		res := tx.Exec(`UPDATE provision_jobs SET status = ?, next_attempt_at = ?, lease_owner = '', lease_until = NULL,
				settled_at = NULL, review_notes = ?, updated_at = ?
			WHERE id = ? AND status = ?`,
			string(provision.StatusRetrying), now, notes, now, id, string(provision.StatusNeedsReview))
		return reviewResult(res, "retry job")
	})
}

// ConfirmCharge records, for a needs_review job whose charge is unresolved,
// the PortaSwitch transaction (i_payment_transaction) an operator found for
// it: the job's ITransaction and a charge step with outcome
// OutcomeConfirmed. The job stays in needs_review; RetrySubmission may then
// resume it, and the runner skips the charge. It returns EInvalid for a
// transaction id that is not positive, EConflict when the charge is not
// unresolved, ENotFound outside scope.
func (js *JobStore) ConfirmCharge(ctx context.Context, scope Scope, id, transactionID int64, by, note string, now time.Time) (before, after Submission, err error) {
	now = dbTime(now)
	if transactionID <= 0 {
		return Submission{}, Submission{}, forms.Errorf(forms.EInvalid, "Enter the transaction id (a positive number).")
	}
	return js.review(ctx, scope, id, func(tx *gorm.DB, s Submission, notes string) error {
		if s.Job.Status != provision.StatusNeedsReview || !s.ChargeUnresolved() {
			return errChanged
		}
		steps := append(s.Job.Steps, provision.StepRecord{Name: provision.StepCharge, Intent: now, Done: now,
			Outcome: OutcomeConfirmed, RemoteID: transactionID})
		stepsJSON := encodeSteps(steps)
		notes, err := appendNote(notes, ReviewNote{At: now, By: by, Action: ReviewChargeConfirmed, Note: note, TransactionID: transactionID})
		if err != nil {
			return err
		}
		res := tx.Exec(`UPDATE provision_jobs SET i_transaction = ?, steps_json = ?, review_notes = ?, updated_at = ?
			WHERE id = ? AND status = ? AND i_transaction = 0`,
			transactionID, stepsJSON, notes, now, id, string(provision.StatusNeedsReview))
		return reviewResult(res, "confirm charge")
	})
}

// ResolveSubmission marks a needs_review or failed job resolved with the
// operator's comment. A resolved job is settled for good: no worker claims
// it. It returns EConflict for a job in another status, ENotFound outside
// scope.
func (js *JobStore) ResolveSubmission(ctx context.Context, scope Scope, id int64, by, note string, now time.Time) (before, after Submission, err error) {
	now = dbTime(now)
	return js.review(ctx, scope, id, func(tx *gorm.DB, s Submission, notes string) error {
		if !s.CanResolve() {
			return errChanged
		}
		notes, err := appendNote(notes, ReviewNote{At: now, By: by, Action: ReviewResolved, Note: note})
		if err != nil {
			return err
		}
		res := tx.Exec(`UPDATE provision_jobs SET status = ?, next_attempt_at = NULL, review_notes = ?,
				settled_at = COALESCE(settled_at, ?), updated_at = ?
			WHERE id = ? AND status = ?`,
			string(StatusResolved), notes, now, now, id, string(s.Job.Status))
		return reviewResult(res, "resolve job")
	})
}

func reviewResult(res *gorm.DB, doing string) error {
	if res.Error != nil {
		return fmt.Errorf("%s: %w", doing, res.Error)
	}
	if res.RowsAffected == 0 {
		return errChanged
	}
	return nil
}

// Submissions returns a job store for the admin area's submission views and
// review actions. It never reads or writes a job's credentials: its sealer
// refuses, and the submission methods erase them before decoding a job.
func (s *Store) Submissions() *JobStore { return &JobStore{s: s, sealer: noCredentials{}} }

// noCredentials is a Sealer that refuses everything.
type noCredentials struct{}

var errNoCredentials = errors.New("storage: this job store has no access to credentials")

func (noCredentials) Seal([]byte, string, time.Time) (string, error) { return "", errNoCredentials }
func (noCredentials) Open(string, string, time.Time) ([]byte, error) { return nil, errNoCredentials }
