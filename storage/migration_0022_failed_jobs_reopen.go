package storage

// Migration 22 lets a failed signup be tried again, as a declined one can:
// a failed job (nothing charged, everything undone) reopens its wizard
// session, so provision_jobs_one_live must no longer count it as the
// session's live attempt. The index now names the statuses that do count
// (live, completed, needs_review) rather than those that don't, so that a
// settled attempt an operator marks 'resolved' (migration 60) never clashes
// with the prospect's next one. provision_jobs.failure keeps which choice of
// the prospect made a job fail (provision.Failure: the number, the device,
// or empty for anything else), so that the prospect is sent to change it
// without the reason's words being read.
func init() {
	register(migration{
		version: 22,
		name:    "failed jobs reopen their session",
		sqlite: []string{
			`ALTER TABLE provision_jobs ADD COLUMN failure TEXT NOT NULL DEFAULT ''`,
			`DROP INDEX provision_jobs_one_live`,
			`CREATE UNIQUE INDEX provision_jobs_one_live ON provision_jobs (session_hash) WHERE status IN ('pending', 'running', 'retrying', 'completed', 'needs_review')`,
		},
		postgres: []string{
			`ALTER TABLE provision_jobs ADD COLUMN failure TEXT NOT NULL DEFAULT ''`,
			`DROP INDEX provision_jobs_one_live`,
			`CREATE UNIQUE INDEX provision_jobs_one_live ON provision_jobs (session_hash) WHERE status IN ('pending', 'running', 'retrying', 'completed', 'needs_review')`,
		},
	})
}
