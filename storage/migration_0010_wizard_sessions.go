package storage

// Migration 10 adds wizard_sessions: one row per prospect's walk through a
// form (see sessions.go). The key is the SHA-256 of the session's random id:
// the id itself is a bearer secret and is never stored. A session keeps the
// version it started on, so publishing a new version changes nothing under
// it. signed_up_at is set by Sign up (the provisioning jobs refer to the
// session by id_hash) and cleared again when a declined card reopens it.
func init() {
	register(migration{
		version: 10,
		name:    "wizard sessions",
		sqlite: []string{
			`CREATE TABLE wizard_sessions (
				id_hash TEXT PRIMARY KEY,
				form_id INTEGER NOT NULL REFERENCES forms (id) ON DELETE CASCADE,
				version_id INTEGER NOT NULL REFERENCES form_versions (id) ON DELETE CASCADE,
				progress TEXT NOT NULL,
				card_brand TEXT NOT NULL DEFAULT '',
				card_last4 TEXT NOT NULL DEFAULT '',
				created_at DATETIME NOT NULL,
				updated_at DATETIME NOT NULL,
				expires_at DATETIME NOT NULL,
				signed_up_at DATETIME
			)`,
			`CREATE INDEX wizard_sessions_expires_at ON wizard_sessions (expires_at)`,
			`CREATE INDEX wizard_sessions_updated_at ON wizard_sessions (updated_at)`,
			`CREATE INDEX wizard_sessions_version_id ON wizard_sessions (version_id)`,
			`CREATE INDEX wizard_sessions_form_id ON wizard_sessions (form_id)`,
		},
		postgres: []string{
			`CREATE TABLE wizard_sessions (
				id_hash TEXT PRIMARY KEY,
				form_id BIGINT NOT NULL REFERENCES forms (id) ON DELETE CASCADE,
				version_id BIGINT NOT NULL REFERENCES form_versions (id) ON DELETE CASCADE,
				progress TEXT NOT NULL,
				card_brand TEXT NOT NULL DEFAULT '',
				card_last4 TEXT NOT NULL DEFAULT '',
				created_at TIMESTAMPTZ NOT NULL,
				updated_at TIMESTAMPTZ NOT NULL,
				expires_at TIMESTAMPTZ NOT NULL,
				signed_up_at TIMESTAMPTZ
			)`,
			`CREATE INDEX wizard_sessions_expires_at ON wizard_sessions (expires_at)`,
			`CREATE INDEX wizard_sessions_updated_at ON wizard_sessions (updated_at)`,
			`CREATE INDEX wizard_sessions_version_id ON wizard_sessions (version_id)`,
			`CREATE INDEX wizard_sessions_form_id ON wizard_sessions (form_id)`,
		},
	})
}
