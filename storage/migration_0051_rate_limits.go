package storage

// Migration 51 adds rate_limits: the counters of the request rate limiters
// (RateLimitStorage, ratelimit.go), shared by every instance. A row is one
// limiter key (a limiter's name and a client address) with the limiter's
// opaque state and when it expires (Unix nanoseconds; 0 for never).
func init() {
	register(migration{
		version: 51,
		name:    "rate limits",
		sqlite: []string{
			`CREATE TABLE rate_limits (
				key TEXT PRIMARY KEY,
				value BLOB NOT NULL,
				expires_at INTEGER NOT NULL DEFAULT 0
			)`,
			`CREATE INDEX rate_limits_expires_at ON rate_limits (expires_at)`,
		},
		postgres: []string{
			`CREATE TABLE rate_limits (
				key TEXT PRIMARY KEY,
				value BYTEA NOT NULL,
				expires_at BIGINT NOT NULL DEFAULT 0
			)`,
			`CREATE INDEX rate_limits_expires_at ON rate_limits (expires_at)`,
		},
	})
}
