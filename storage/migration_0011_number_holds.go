package storage

// Migration 11 adds number_holds: a phone number a wizard session has
// chosen, reserved for it until expires_at (see holds.go). The number is the
// primary key, so that no two sessions can ever hold it at once, on either
// engine and however many instances race; a session holds at most one number
// (HoldNumber deletes its others in the same transaction). A hold goes with
// its session (ON DELETE CASCADE).
func init() {
	register(migration{
		version: 11,
		name:    "number holds",
		sqlite: []string{
			`CREATE TABLE number_holds (
				number TEXT PRIMARY KEY,
				i_did_number INTEGER NOT NULL,
				session_hash TEXT NOT NULL REFERENCES wizard_sessions (id_hash) ON DELETE CASCADE,
				expires_at DATETIME NOT NULL,
				created_at DATETIME NOT NULL
			)`,
			`CREATE INDEX number_holds_session_hash ON number_holds (session_hash)`,
			`CREATE INDEX number_holds_expires_at ON number_holds (expires_at)`,
		},
		postgres: []string{
			`CREATE TABLE number_holds (
				number TEXT PRIMARY KEY,
				i_did_number BIGINT NOT NULL,
				session_hash TEXT NOT NULL REFERENCES wizard_sessions (id_hash) ON DELETE CASCADE,
				expires_at TIMESTAMPTZ NOT NULL,
				created_at TIMESTAMPTZ NOT NULL
			)`,
			`CREATE INDEX number_holds_session_hash ON number_holds (session_hash)`,
			`CREATE INDEX number_holds_expires_at ON number_holds (expires_at)`,
		},
	})
}
