package storage

// Migration 21 adds self-care: selfcare_sessions holds the server side of a
// subscriber's self-care login (an opaque sealed state: the account-realm
// tokens), keyed by the hash of the cookie's random id, so that any
// instance can serve any request; login_throttle counts failed logins per
// key (a login, an address) in a fixed window, shared by every instance.
func init() {
	register(migration{
		version: 21,
		name:    "self-care sessions and login throttle",
		sqlite: []string{
			`CREATE TABLE selfcare_sessions (
				id_hash TEXT PRIMARY KEY,
				state TEXT NOT NULL,
				created_at DATETIME NOT NULL,
				last_seen_at DATETIME NOT NULL,
				expires_at DATETIME NOT NULL
			)`,
			`CREATE INDEX selfcare_sessions_expires_at ON selfcare_sessions (expires_at)`,
			`CREATE TABLE login_throttle (
				key TEXT PRIMARY KEY,
				window_start DATETIME NOT NULL,
				count INTEGER NOT NULL
			)`,
		},
		postgres: []string{
			`CREATE TABLE selfcare_sessions (
				id_hash TEXT PRIMARY KEY,
				state TEXT NOT NULL,
				created_at TIMESTAMPTZ NOT NULL,
				last_seen_at TIMESTAMPTZ NOT NULL,
				expires_at TIMESTAMPTZ NOT NULL
			)`,
			`CREATE INDEX selfcare_sessions_expires_at ON selfcare_sessions (expires_at)`,
			`CREATE TABLE login_throttle (
				key TEXT PRIMARY KEY,
				window_start TIMESTAMPTZ NOT NULL,
				count INTEGER NOT NULL
			)`,
		},
	})
}
