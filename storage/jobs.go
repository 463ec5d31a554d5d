package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"websignup/forms"
	"websignup/provision"
)

// Sealer encrypts and decrypts small secrets bound to an aad string and an
// expiry; *seal.Sealer (package internal/seal) satisfies it. JobStore uses
// one made for the purpose "credentials" to keep a job's generated
// passwords encrypted until they are shown.
type Sealer interface {
	Seal(plaintext []byte, aad string, expires time.Time) (string, error)
	Open(token, aad string, now time.Time) ([]byte, error)
}

// CredentialsSealLifetime is how long sealed credentials stay readable for
// the runner. It is long on purpose: a job retried for hours must still
// create the account with the passwords it generated. How long they may be
// shown is decided separately (TakeCredentials' maxAge, counted from the
// job's completion), and EraseStaleCredentials erases them after that.
const CredentialsSealLifetime = 30 * 24 * time.Hour

// HoldDuringSignup is how long a session's number hold is extended when Sign
// up claims the session: longer than any job is expected to take, so the
// number cannot be offered to someone else while it is being provisioned.
// A completed job deletes the hold; a declined one leaves it to the wizard,
// which shortens it again at the next step.
const HoldDuringSignup = 24 * time.Hour

// JobStore keeps provisioning jobs in the provision_jobs table. It
// implements provision.Store and provision.Claimer, creates jobs for Sign up
// (StartSignup), and offers the lookups the done page and the admin's
// submission views need. Get one with Store.Jobs. It is safe for concurrent
// use.
type JobStore struct {
	s      *Store
	sealer Sealer
}

var (
	_ provision.Store   = (*JobStore)(nil)
	_ provision.Claimer = (*JobStore)(nil)
)

// Jobs returns the job store over s. credentials seals the generated
// passwords of jobs (use seal.New(secret, "credentials")); it is required.
func (s *Store) Jobs(credentials Sealer) *JobStore {
	if credentials == nil {
		panic("storage: Jobs needs a credentials Sealer")
	}
	return &JobStore{s: s, sealer: credentials}
}

// SessionHash returns how storage identifies a session by its raw id: the
// hex SHA-256 of it. wizard_sessions.id_hash, number_holds.session_hash,
// provision_jobs.session_hash and selfcare_sessions.id_hash all hold it, so
// a job finds its session and holds by it. The raw id, a bearer secret, is
// never stored. It is the package's only session hash: keep it so.
func SessionHash(sessionID string) string {
	sum := sha256.Sum256([]byte(sessionID))
	return hex.EncodeToString(sum[:])
}

// jobRecord is a provision_jobs row.
type jobRecord struct {
	ID                 int64      `gorm:"column:id;primaryKey"`
	SessionHash        string     `gorm:"column:session_hash"`
	Attempt            int        `gorm:"column:attempt"`
	FormID             int64      `gorm:"column:form_id"`
	VersionID          int64      `gorm:"column:version_id"`
	Status             string     `gorm:"column:status"`
	Reference          *string    `gorm:"column:reference"`
	OrderJSON          string     `gorm:"column:order_json"`
	ICustomer          int64      `gorm:"column:i_customer"`
	IPaymentMethod     int64      `gorm:"column:i_payment_method"`
	ITransaction       int64      `gorm:"column:i_transaction"`
	IDidNumber         int64      `gorm:"column:i_did_number"`
	IAccount           int64      `gorm:"column:i_account"`
	IUA                int64      `gorm:"column:i_ua"`
	StepsJSON          string     `gorm:"column:steps_json"`
	Attempts           int        `gorm:"column:attempts"`
	NextAttemptAt      *time.Time `gorm:"column:next_attempt_at"`
	LastError          string     `gorm:"column:last_error"`
	Reason             string     `gorm:"column:reason"`
	Failure            string     `gorm:"column:failure"`
	UndoTo             string     `gorm:"column:undo_to"`
	CredentialsSealed  string     `gorm:"column:credentials_sealed"`
	CredentialsShownAt *time.Time `gorm:"column:credentials_shown_at"`
	SettledAt          *time.Time `gorm:"column:settled_at"`
	LeaseOwner         string     `gorm:"column:lease_owner"`
	LeaseUntil         *time.Time `gorm:"column:lease_until"`
	CreatedAt          time.Time  `gorm:"column:created_at"`
	UpdatedAt          time.Time  `gorm:"column:updated_at"`
}

func (jobRecord) TableName() string { return "provision_jobs" }

// jobColumns are provision_jobs' columns in the order of jobRecord.fields.
const jobColumns = `id, session_hash, attempt, form_id, version_id, status, reference, order_json,
	i_customer, i_payment_method, i_transaction, i_did_number, i_account, i_ua, steps_json, attempts,
	next_attempt_at, last_error, reason, failure, undo_to, credentials_sealed, credentials_shown_at,
	settled_at, lease_owner, lease_until, created_at, updated_at`

// fields are where a row of jobColumns is scanned to.
func (r *jobRecord) fields() []any {
	return []any{&r.ID, &r.SessionHash, &r.Attempt, &r.FormID, &r.VersionID, &r.Status, &r.Reference, &r.OrderJSON,
		&r.ICustomer, &r.IPaymentMethod, &r.ITransaction, &r.IDidNumber, &r.IAccount, &r.IUA, &r.StepsJSON, &r.Attempts,
		&r.NextAttemptAt, &r.LastError, &r.Reason, &r.Failure, &r.UndoTo, &r.CredentialsSealed, &r.CredentialsShownAt,
		&r.SettledAt, &r.LeaseOwner, &r.LeaseUntil, &r.CreatedAt, &r.UpdatedAt}
}

// latestJobOfSession selects, for findJob, the latest job (highest attempt)
// of a session hash. The CAST is for SQLite's sake: when a bound value is
// compared with a column in a query whose plan SQLite picks among several
// (here for the ORDER BY), SQLite marks the statement to be prepared again
// whenever that value is rebound, and go-sqlite3 clears the bindings of its
// cached statements after each use. So this query, run twice per signup,
// was parsed and planned anew each time (3% of websignup's CPU in a signup
// run). A CAST is an expression, not a bound value, to the planner; the
// index (session_hash, attempt) is used as before, on both engines.
const latestJobOfSession = `WHERE session_hash = CAST(? AS TEXT) ORDER BY attempt DESC LIMIT 1`

// findJob reads the one job that rest (the query after FROM provision_jobs:
// a WHERE clause, an order, a limit) selects, as plain SQL scanned into the
// record: the done page and Sign up read jobs on every request, and GORM's
// reflection over the model's 28 columns cost more than the query. It
// reports false when there is none.
func findJob(db *gorm.DB, rest string, args ...any) (jobRecord, bool, error) {
	var r jobRecord
	found, err := sqlQueryRow(db, `SELECT `+jobColumns+` FROM provision_jobs `+rest, args, r.fields()...)
	if err != nil || !found {
		return jobRecord{}, false, err
	}
	return r, true, nil
}

// orderDoc is provision.Order as stored in order_json; explicit names keep
// the stored document stable if the Go type changes.
type orderDoc struct {
	IParent        int64             `json:"i_parent"`
	Customer       map[string]string `json:"customer"`
	IProduct       int64             `json:"i_product"`
	ChargeAmount   int64             `json:"charge_amount"`
	ChargeCurrency string            `json:"charge_currency"`
	ChargeComment  string            `json:"charge_comment,omitempty"`
	Number         string            `json:"number"`
	IDidNumber     int64             `json:"i_did_number,omitempty"`
	IUAType        int64             `json:"i_ua_type,omitempty"`
	BYOD           bool              `json:"byod,omitempty"`
}

// stepDoc is a provision.StepRecord as stored in steps_json.
type stepDoc struct {
	Name     string    `json:"name"`
	Intent   time.Time `json:"intent"`
	Done     time.Time `json:"done"`
	Outcome  string    `json:"outcome,omitempty"`
	RemoteID int64     `json:"remote_id,omitempty"`
	Error    string    `json:"error,omitempty"`
}

// credentialsDoc is what credentials_sealed holds, encrypted.
type credentialsDoc struct {
	Login       string `json:"login"`
	WebPassword string `json:"web_password"`
	SIPLogin    string `json:"sip_login"`
	SIPPassword string `json:"sip_password"`
}

func encodeOrder(o provision.Order) (string, error) {
	b, err := json.Marshal(orderDoc{
		IParent: o.IParent, Customer: o.Customer, IProduct: o.IProduct,
		ChargeAmount: o.Charge.Amount, ChargeCurrency: o.Charge.Currency, ChargeComment: o.ChargeComment,
		Number: o.Number, IDidNumber: o.IDidNumber, IUAType: o.IUAType, BYOD: o.BYOD,
	})
	if err != nil {
		return "", fmt.Errorf("encode order: %w", err)
	}
	return string(b), nil
}

// encodeSteps is steps as steps_json holds them (appendSteps).
func encodeSteps(steps []provision.StepRecord) string {
	docs := make([]stepDoc, len(steps))
	for i, s := range steps {
		docs[i] = stepDoc{Name: s.Name, Intent: s.Intent.UTC(), Done: s.Done.UTC(), Outcome: s.Outcome,
			RemoteID: s.RemoteID, Error: s.Error}
	}
	return string(appendSteps(make([]byte, 0, 160*len(docs)+2), docs))
}

func credentialsAAD(jobID int64) string { return fmt.Sprintf("provision-job:%d", jobID) }

// sealCredentials encrypts c for job id; empty credentials give "".
func (js *JobStore) sealCredentials(id int64, c provision.Credentials, now time.Time) (string, error) {
	if c == (provision.Credentials{}) {
		return "", nil
	}
	b, err := json.Marshal(credentialsDoc(c))
	if err != nil {
		return "", fmt.Errorf("encode credentials: %w", err)
	}
	tok, err := js.sealer.Seal(b, credentialsAAD(id), now.Add(CredentialsSealLifetime))
	clear(b)
	if err != nil {
		return "", fmt.Errorf("seal credentials: %w", err)
	}
	return tok, nil
}

// openCredentials decrypts sealed credentials; an unreadable token (expired,
// or sealed under another key) gives empty credentials and ok false.
func (js *JobStore) openCredentials(id int64, sealed string, now time.Time) (provision.Credentials, bool) {
	if sealed == "" {
		return provision.Credentials{}, false
	}
	b, err := js.sealer.Open(sealed, credentialsAAD(id), now)
	if err != nil {
		return provision.Credentials{}, false
	}
	defer clear(b)
	var d credentialsDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return provision.Credentials{}, false
	}
	return provision.Credentials(d), true
}

// job converts a record. Job.SessionID is the session's hash (SessionHash):
// storage never has the raw id.
func (js *JobStore) job(r *jobRecord, now time.Time) (*provision.Job, error) {
	var o orderDoc
	if err := json.Unmarshal([]byte(r.OrderJSON), &o); err != nil {
		return nil, fmt.Errorf("decode order of job %d: %w", r.ID, err)
	}
	var steps []stepDoc
	if err := json.Unmarshal([]byte(r.StepsJSON), &steps); err != nil {
		return nil, fmt.Errorf("decode steps of job %d: %w", r.ID, err)
	}
	j := &provision.Job{
		ID: r.ID, SessionID: r.SessionHash, FormID: r.FormID, VersionID: r.VersionID,
		Status: provision.Status(r.Status),
		Order: provision.Order{
			IParent: o.IParent, Customer: o.Customer, IProduct: o.IProduct,
			Charge:        forms.Money{Amount: o.ChargeAmount, Currency: o.ChargeCurrency},
			ChargeComment: o.ChargeComment, Number: o.Number, IDidNumber: o.IDidNumber,
			IUAType: o.IUAType, BYOD: o.BYOD,
		},
		ICustomer: r.ICustomer, IPaymentMethod: r.IPaymentMethod, ITransaction: r.ITransaction,
		IDidNumber: r.IDidNumber, IAccount: r.IAccount, IUA: r.IUA,
		Attempts: r.Attempts, LastError: r.LastError, Reason: r.Reason, Failure: provision.Failure(r.Failure),
		UndoTo:     provision.Status(r.UndoTo),
		LeaseOwner: r.LeaseOwner,
		CreatedAt:  r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.Reference != nil {
		j.Reference = *r.Reference
	}
	for _, s := range steps {
		j.Steps = append(j.Steps, provision.StepRecord{Name: s.Name, Intent: s.Intent, Done: s.Done,
			Outcome: s.Outcome, RemoteID: s.RemoteID, Error: s.Error})
	}
	if r.NextAttemptAt != nil {
		j.NextAttemptAt = r.NextAttemptAt.UTC()
	}
	if r.LeaseUntil != nil {
		j.LeaseUntil = r.LeaseUntil.UTC()
	}
	j.Credentials, _ = js.openCredentials(r.ID, r.CredentialsSealed, now)
	return j, nil
}

func utcNow() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := dbTime(t)
	return &u
}

// RecordIntent implements provision.Store: before returning it persists
// what a step changes (saveSteps): the job's step records, the remote ids
// and the generated credentials. Status, attempts, errors and the order are
// Update's to persist (provision.Store); the runner changes them only
// before calling Update.
func (js *JobStore) RecordIntent(ctx context.Context, job *provision.Job, step string) error {
	return js.saveSteps(ctx, job)
}

// RecordResult implements provision.Store like RecordIntent.
func (js *JobStore) RecordResult(ctx context.Context, job *provision.Job, step string) error {
	return js.saveSteps(ctx, job)
}

// saveSteps writes the fields a step changes. Leaving the others alone
// keeps the record of a step small: it does not re-encode the order, nor
// touch the indexes on status and next attempt, about a dozen times per
// signup.
func (js *JobStore) saveSteps(ctx context.Context, job *provision.Job) error {
	now := utcNow()
	steps, creds, err := js.stepColumns(job, now)
	if err != nil {
		return err
	}
	n, err := js.s.exec(ctx, `UPDATE provision_jobs SET
			i_customer = ?, i_payment_method = ?, i_transaction = ?, i_did_number = ?, i_account = ?, i_ua = ?,
			steps_json = ?, credentials_sealed = CASE WHEN credentials_shown_at IS NULL THEN ? ELSE '' END,
			updated_at = ?
		WHERE id = ?`,
		job.ICustomer, job.IPaymentMethod, job.ITransaction, job.IDidNumber, job.IAccount, job.IUA,
		steps, creds, now, job.ID)
	if err != nil {
		return dbError(err, "save provision job step", "provision job")
	}
	if n == 0 {
		return forms.Errorf(forms.ENotFound, "provision job %d not found", job.ID)
	}
	return nil
}

// stepColumns are the encoded step list and sealed credentials of job, as
// both saves write them.
func (js *JobStore) stepColumns(job *provision.Job, now time.Time) (steps, creds string, err error) {
	if job.ID == 0 {
		return "", "", errors.New("storage: save of a job without ID")
	}
	steps = encodeSteps(job.Steps)
	creds, err = js.sealCredentials(job.ID, job.Credentials, now)
	return steps, creds, err
}

// Update implements provision.Store: it persists the whole job (never its
// lease) before returning. When the job settles it also, in the same transaction: records when (settled_at);
// for a completed job, deletes the session's hold on the job's number (the
// number now belongs to the account); for a declined, card_needed or failed
// job that is the session's latest attempt, reopens the wizard session
// (clears signed_up_at) so the prospect can put right what failed and sign
// up anew. Answers are kept; a failed job's Failure also takes back the
// choice that made it fail: FailureNumberUnavailable deletes the session's
// hold and its number (the phone step offers others), and
// FailureDeviceOutOfStock its device (the number stays held).
func (js *JobStore) Update(ctx context.Context, job *provision.Job) error {
	return js.save(ctx, job)
}

// save writes every field the runner changes. The lease columns belong to
// the Claimer; save only ends the lease of a job that settles (see
// provision.Store.Update).
func (js *JobStore) save(ctx context.Context, job *provision.Job) error {
	now := utcNow()
	steps, creds, err := js.stepColumns(job, now)
	if err != nil {
		return err
	}
	order, err := encodeOrder(job.Order)
	if err != nil {
		return err
	}
	var ref *string
	if job.Reference != "" {
		ref = &job.Reference
	}
	return js.s.write(ctx, func(tx *gorm.DB) error {
		n, err := sqlExec(tx, `UPDATE provision_jobs SET status = ?, reference = ?, order_json = ?,
				i_customer = ?, i_payment_method = ?, i_transaction = ?, i_did_number = ?, i_account = ?, i_ua = ?,
				steps_json = ?, attempts = ?, next_attempt_at = ?, last_error = ?, reason = ?, failure = ?, undo_to = ?,
				credentials_sealed = CASE WHEN credentials_shown_at IS NULL THEN ? ELSE '' END,
				settled_at = CASE WHEN ? THEN COALESCE(settled_at, ?) ELSE NULL END,
				lease_owner = CASE WHEN ? THEN '' ELSE lease_owner END,
				lease_until = CASE WHEN ? THEN NULL ELSE lease_until END,
				updated_at = ?
			WHERE id = ?`,
			string(job.Status), ref, order,
			job.ICustomer, job.IPaymentMethod, job.ITransaction, job.IDidNumber, job.IAccount, job.IUA,
			steps, job.Attempts, optTime(job.NextAttemptAt), job.LastError, job.Reason, string(job.Failure), string(job.UndoTo),
			creds, job.Status.Settled(), now, job.Status.Settled(), job.Status.Settled(), now, job.ID)
		if err != nil {
			return dbError(err, "save provision job", "provision job")
		}
		if n == 0 {
			return forms.Errorf(forms.ENotFound, "provision job %d not found", job.ID)
		}
		return settle(tx, job, now)
	})
}

// settle applies what a settled job means for its wizard session (see
// Update).
func settle(tx *gorm.DB, job *provision.Job, now time.Time) error {
	switch job.Status {
	case provision.StatusCompleted:
		if job.Order.Number == "" {
			return nil
		}
		if _, err := sqlExec(tx, `DELETE FROM number_holds WHERE number = ? AND session_hash = ?`,
			job.Order.Number, job.SessionID); err != nil {
			return fmt.Errorf("release number hold: %w", err)
		}
	case provision.StatusDeclined, provision.StatusCardNeeded, provision.StatusFailed:
		// Reopen only if this is the session's latest attempt.
		res := tx.Exec(`UPDATE wizard_sessions SET signed_up_at = NULL
			WHERE id_hash = ? AND NOT EXISTS (
				SELECT 1 FROM provision_jobs WHERE session_hash = ? AND id > ?)`,
			job.SessionID, job.SessionID, job.ID)
		if res.Error != nil {
			return fmt.Errorf("reopen wizard session: %w", res.Error)
		}
		if res.RowsAffected > 0 && job.Status == provision.StatusFailed {
			return takeBackChoice(tx, job)
		}
	}
	return nil
}

// takeBackChoice clears, in the reopened session of a failed job, the choice
// that made it fail (see Update), so that the wizard's step rules send the
// prospect to choose again.
func takeBackChoice(tx *gorm.DB, job *provision.Job) error {
	if job.Failure != provision.FailureNumberUnavailable && job.Failure != provision.FailureDeviceOutOfStock {
		return nil
	}
	var rows []struct {
		Progress string `gorm:"column:progress"`
	}
	if err := tx.Raw(`SELECT progress FROM wizard_sessions WHERE id_hash = ?`, job.SessionID).Scan(&rows).Error; err != nil {
		return fmt.Errorf("read wizard progress: %w", err)
	}
	if len(rows) == 0 {
		return nil
	}
	d, err := decodeProgress(rows[0].Progress)
	if err != nil {
		return fmt.Errorf("decode wizard progress: %w", err)
	}
	switch job.Failure {
	case provision.FailureNumberUnavailable:
		if d.Number != job.Order.Number {
			// The session chose again meanwhile (it could not, being
			// signed up; but never drop a choice the job did not make).
			return nil
		}
		if err := tx.Exec(`DELETE FROM number_holds WHERE session_hash = ? AND number = ?`,
			job.SessionID, job.Order.Number).Error; err != nil {
			return fmt.Errorf("release unavailable number: %w", err)
		}
		d.Number = ""
	case provision.FailureDeviceOutOfStock:
		d.Device = ""
	}
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode wizard progress: %w", err)
	}
	if err := tx.Exec(`UPDATE wizard_sessions SET progress = ? WHERE id_hash = ?`, string(b), job.SessionID).Error; err != nil {
		return fmt.Errorf("take back the failed choice: %w", err)
	}
	return nil
}

// StartSignup claims the completed wizard session sessionID (its raw id)
// for Sign up and creates its provisioning job, in one transaction:
//
//   - it locks the session's row (FOR UPDATE on PostgreSQL; SQLite write
//     transactions are immediate and so exclusive anyway);
//   - when the session has a job and is still signed up (the job is live,
//     completed or needs review), or its latest job is not settled, it
//     returns that job and created false: a second or concurrent Sign up
//     never starts a second job. A settled job that reopened the session
//     (declined, card_needed, failed; see Update) lets a new attempt start;
//   - otherwise it marks the session signed up (signed_up_at), extends its
//     number hold by HoldDuringSignup, and inserts job (status pending, the
//     next attempt number, a new Reference) with a lease for owner until
//     now+lease, so that no worker claims it while the request runs it. It
//     returns the stored job and created true.
//
// job supplies FormID, VersionID and Order; its SessionID is ignored. It
// returns ENotFound when there is no such session.
func (js *JobStore) StartSignup(ctx context.Context, sessionID string, job *provision.Job, owner string,
	lease time.Duration, now time.Time) (*provision.Job, bool, error) {
	hash := SessionHash(sessionID)
	now = dbTime(now)
	order, err := encodeOrder(job.Order)
	if err != nil {
		return nil, false, err
	}
	var rec jobRecord
	created := false
	err = js.s.write(ctx, func(tx *gorm.DB) error {
		signedUpAt, err := lockSession(tx, hash)
		if err != nil {
			return err
		}
		reopened := signedUpAt == nil
		latest, ok, err := findJob(tx, latestJobOfSession, hash)
		if err != nil {
			return fmt.Errorf("find session's job: %w", err)
		}
		attempt := 1
		if ok {
			// Only a settled job reopens its session (Update); an
			// operator resolving it later keeps it reopened.
			if !reopened || !provision.Status(latest.Status).Settled() {
				rec = latest
				return nil
			}
			attempt = latest.Attempt + 1
		}
		if _, err := sqlExec(tx, `UPDATE wizard_sessions SET signed_up_at = ? WHERE id_hash = ?`, now, hash); err != nil {
			return fmt.Errorf("mark wizard session signed up: %w", err)
		}
		if _, err := sqlExec(tx, `UPDATE number_holds SET expires_at = ? WHERE session_hash = ? AND expires_at < ?`,
			now.Add(HoldDuringSignup), hash, now.Add(HoldDuringSignup)); err != nil {
			return fmt.Errorf("extend number hold: %w", err)
		}
		until := now.Add(lease)
		rec = jobRecord{
			SessionHash: hash, Attempt: attempt, FormID: job.FormID, VersionID: job.VersionID,
			Status: string(provision.StatusPending), OrderJSON: order, StepsJSON: "[]",
			LeaseOwner: owner, LeaseUntil: &until, CreatedAt: now, UpdatedAt: now,
		}
		// Plain SQL: GORM's Create reflects over the whole model. The
		// other columns start at their defaults, as the record's zero
		// values.
		_, err = sqlQueryRow(tx, `INSERT INTO provision_jobs (session_hash, attempt, form_id, version_id, status, order_json,
				steps_json, lease_owner, lease_until, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			[]any{rec.SessionHash, rec.Attempt, rec.FormID, rec.VersionID, rec.Status, rec.OrderJSON,
				rec.StepsJSON, rec.LeaseOwner, rec.LeaseUntil, rec.CreatedAt, rec.UpdatedAt}, &rec.ID)
		if err != nil {
			return dbError(err, "create provision job", "a signup for this session")
		}
		ref := provision.NewReference(rec.ID)
		if _, err := sqlExec(tx, `UPDATE provision_jobs SET reference = ? WHERE id = ?`, ref, rec.ID); err != nil {
			return dbError(err, "set job reference", "job reference")
		}
		rec.Reference = &ref
		created = true
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	j, err := js.job(&rec, now)
	return j, created, err
}

// ClaimDue implements provision.Claimer: it claims the due job that has
// waited longest (see provision.Claimer for "due"), with SELECT ... FOR
// UPDATE SKIP LOCKED on PostgreSQL and in an immediate transaction on
// SQLite, and returns it with the lease set, or (nil, nil) when none is due.
func (js *JobStore) ClaimDue(ctx context.Context, owner string, lease time.Duration, now time.Time) (*provision.Job, error) {
	now = dbTime(now)
	until := now.Add(lease)
	var rec jobRecord
	found := false
	err := js.s.write(ctx, func(tx *gorm.DB) error {
		q := tx.Where("status IN ?", []string{string(provision.StatusPending), string(provision.StatusRunning), string(provision.StatusRetrying)}).
			Where("next_attempt_at IS NULL OR next_attempt_at <= ?", now).
			Where("lease_until IS NULL OR lease_until < ?", now).
			Order("next_attempt_at IS NOT NULL, next_attempt_at, id").Limit(1)
		if js.s.dialect == Postgres {
			q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate, Options: clause.LockingOptionsSkipLocked})
		}
		var recs []jobRecord
		if err := q.Find(&recs).Error; err != nil {
			return fmt.Errorf("find due job: %w", err)
		}
		if len(recs) == 0 {
			return nil
		}
		rec = recs[0]
		res := tx.Model(&jobRecord{}).Where("id = ?", rec.ID).
			Updates(map[string]any{"lease_owner": owner, "lease_until": until})
		if res.Error != nil {
			return fmt.Errorf("lease job %d: %w", rec.ID, res.Error)
		}
		rec.LeaseOwner, rec.LeaseUntil = owner, &until
		found = true
		return nil
	})
	if err != nil || !found {
		return nil, err
	}
	return js.job(&rec, now)
}

// Release implements provision.Claimer: it clears the job's lease if
// job.LeaseOwner still holds it.
func (js *JobStore) Release(ctx context.Context, job *provision.Job) error {
	_, err := js.s.exec(ctx, `UPDATE provision_jobs SET lease_owner = '', lease_until = NULL
		WHERE id = ? AND lease_owner = ?`, job.ID, job.LeaseOwner)
	if err != nil {
		return fmt.Errorf("release job %d: %w", job.ID, err)
	}
	job.LeaseOwner, job.LeaseUntil = "", time.Time{}
	return nil
}

// Job returns the job with the given id, or ENotFound.
func (js *JobStore) Job(ctx context.Context, id int64) (*provision.Job, error) {
	rec, ok, err := findJob(js.s.db.WithContext(ctx), `WHERE id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("get provision job: %w", err)
	}
	if !ok {
		return nil, forms.Errorf(forms.ENotFound, "signup not found")
	}
	return js.job(&rec, utcNow())
}

// JobBySession returns the latest job (highest attempt) of the wizard
// session with raw id sessionID, or ENotFound when it has none.
func (js *JobStore) JobBySession(ctx context.Context, sessionID string) (*provision.Job, error) {
	return js.JobBySessionHash(ctx, SessionHash(sessionID))
}

// JobBySessionHash is JobBySession for a session known by its hash
// (provision.Job.SessionID of a stored job).
func (js *JobStore) JobBySessionHash(ctx context.Context, hash string) (*provision.Job, error) {
	rec, ok, err := findJob(js.s.db.WithContext(ctx), latestJobOfSession, hash)
	if err != nil {
		return nil, fmt.Errorf("get session's provision job: %w", err)
	}
	if !ok {
		return nil, forms.Errorf(forms.ENotFound, "signup not found")
	}
	return js.job(&rec, utcNow())
}

// JobFilter selects jobs for ListJobs.
type JobFilter struct {
	// FormID limits the list to one form's jobs; 0 lists every form's (the
	// caller checks the tenant).
	FormID int64
	// Statuses limits the list to jobs in these statuses; empty: any.
	Statuses []provision.Status
	// Limit is the page size (default 50, at most 500); Offset skips.
	Limit, Offset int
}

// JobPage is one page of ListJobs.
type JobPage struct {
	Jobs  []*provision.Job // newest first
	Total int64            // jobs matching the filter, over all pages
}

// ListJobs returns the jobs matching f, newest first, one page at a time.
// Credentials are never included.
func (js *JobStore) ListJobs(ctx context.Context, f JobFilter) (JobPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	q := js.s.db.WithContext(ctx).Model(&jobRecord{})
	if f.FormID != 0 {
		q = q.Where("form_id = ?", f.FormID)
	}
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			st[i] = string(s)
		}
		q = q.Where("status IN ?", st)
	}
	var page JobPage
	if err := q.Count(&page.Total).Error; err != nil {
		return JobPage{}, fmt.Errorf("count provision jobs: %w", err)
	}
	var recs []jobRecord
	if err := q.Order("id DESC").Limit(limit).Offset(max(f.Offset, 0)).Find(&recs).Error; err != nil {
		return JobPage{}, fmt.Errorf("list provision jobs: %w", err)
	}
	now := utcNow()
	for i := range recs {
		recs[i].CredentialsSealed = ""
		j, err := js.job(&recs[i], now)
		if err != nil {
			return JobPage{}, err
		}
		page.Jobs = append(page.Jobs, j)
	}
	return page, nil
}

// TakeCredentials returns a completed job's credentials exactly once: in
// one transaction it reads them, erases them and records when they were
// shown (shownAt = now). Later calls get empty credentials and the time they
// were shown. Credentials of a job completed more than maxAge before now are
// erased unseen; then, as for a job not completed yet, both results are
// zero. It returns ENotFound for an unknown job.
func (js *JobStore) TakeCredentials(ctx context.Context, jobID int64, now time.Time, maxAge time.Duration) (creds provision.Credentials, shownAt time.Time, err error) {
	now = dbTime(now)
	err = js.s.write(ctx, func(tx *gorm.DB) error {
		// Only the columns it needs: the rest of the job (its order and
		// steps) is the done page's read already.
		query := `SELECT status, credentials_sealed, credentials_shown_at, settled_at FROM provision_jobs WHERE id = ?`
		if js.s.dialect == Postgres {
			query += ` FOR UPDATE`
		}
		var (
			status, sealed string
			shown, settled *time.Time
		)
		found, err := sqlQueryRow(tx, query, []any{jobID}, &status, &sealed, &shown, &settled)
		if err != nil {
			return fmt.Errorf("get provision job: %w", err)
		}
		if !found {
			return forms.Errorf(forms.ENotFound, "signup not found")
		}
		erase := func() error {
			_, err := sqlExec(tx, `UPDATE provision_jobs SET credentials_sealed = '' WHERE id = ?`, jobID)
			return err
		}
		switch {
		case shown != nil:
			shownAt = shown.UTC()
			return nil
		case status != string(provision.StatusCompleted) || sealed == "":
			return nil
		case settled != nil && now.Sub(*settled) > maxAge:
			return erase()
		}
		c, ok := js.openCredentials(jobID, sealed, now)
		if !ok {
			return erase()
		}
		creds, shownAt = c, now
		_, err = sqlExec(tx, `UPDATE provision_jobs SET credentials_sealed = '', credentials_shown_at = ? WHERE id = ?`,
			now, jobID)
		return err
	})
	if err != nil {
		return provision.Credentials{}, time.Time{}, err
	}
	return creds, shownAt, nil
}

// EraseStaleCredentials erases the credentials of jobs that completed more
// than maxAge before now and were never shown, and returns how many. The
// server's sweeper calls it.
func (js *JobStore) EraseStaleCredentials(ctx context.Context, now time.Time, maxAge time.Duration) (int64, error) {
	n, err := js.s.exec(ctx, `UPDATE provision_jobs SET credentials_sealed = ''
		WHERE credentials_sealed <> '' AND status = ? AND settled_at < ?`,
		string(provision.StatusCompleted), dbTime(now.Add(-maxAge)))
	if err != nil {
		return 0, fmt.Errorf("erase stale credentials: %w", err)
	}
	return n, nil
}
