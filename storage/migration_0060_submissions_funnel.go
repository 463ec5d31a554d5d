package storage

// Migration 60 adds what the admin's submission views and funnel need:
//
//   - provision_jobs.review_notes: the operators' actions on a job (retry,
//     charge confirmed, resolved), each with who, when and their comment, as
//     a JSON array (see submissions.go). A resolved job has status
//     'resolved', which no worker claims (ClaimDue takes only pending,
//     running and retrying jobs).
//   - wizard_sessions.funnel_steps: the funnel steps the session has reached,
//     as bits (see funnel.go), so that each is counted once per session.
//   - funnel_daily: how many sessions of a form first reached each step on
//     each day (UTC, 'YYYY-MM-DD'). The sweeper deletes abandoned sessions;
//     these counters stay.
func init() {
	register(migration{
		version: 60,
		name:    "submission review notes and funnel counters",
		sqlite: []string{
			`ALTER TABLE provision_jobs ADD COLUMN review_notes TEXT NOT NULL DEFAULT '[]'`,
			`ALTER TABLE wizard_sessions ADD COLUMN funnel_steps INTEGER NOT NULL DEFAULT 0`,
			`CREATE TABLE funnel_daily (
				form_id INTEGER NOT NULL REFERENCES forms (id) ON DELETE CASCADE,
				day TEXT NOT NULL,
				step TEXT NOT NULL,
				count INTEGER NOT NULL DEFAULT 0,
				PRIMARY KEY (form_id, day, step)
			)`,
			`CREATE INDEX provision_jobs_form_created ON provision_jobs (form_id, created_at)`,
		},
		postgres: []string{
			`ALTER TABLE provision_jobs ADD COLUMN review_notes TEXT NOT NULL DEFAULT '[]'`,
			`ALTER TABLE wizard_sessions ADD COLUMN funnel_steps INTEGER NOT NULL DEFAULT 0`,
			`CREATE TABLE funnel_daily (
				form_id BIGINT NOT NULL REFERENCES forms (id) ON DELETE CASCADE,
				day TEXT NOT NULL,
				step TEXT NOT NULL,
				count BIGINT NOT NULL DEFAULT 0,
				PRIMARY KEY (form_id, day, step)
			)`,
			`CREATE INDEX provision_jobs_form_created ON provision_jobs (form_id, created_at)`,
		},
	})
}
