package storage

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// TestMigration is an extra migration a test appends to the real history.
type TestMigration struct {
	Version int
	Name    string
	SQL     []string // the same statements on both engines
}

// MigrateUpTo applies the real migrations numbered up to upTo, then extra.
func (s *Store) MigrateUpTo(ctx context.Context, upTo int, extra ...TestMigration) (int, error) {
	var list []migration
	for _, m := range history() {
		if m.version <= upTo {
			list = append(list, m)
		}
	}
	for _, e := range extra {
		list = append(list, migration{version: e.Version, name: e.Name, sqlite: e.SQL, postgres: e.SQL})
	}
	if len(list) == 0 {
		return 0, nil
	}
	return s.migrate(ctx, list)
}

// Write is write (write.go), for tests of the committer.
func (s *Store) Write(ctx context.Context, fn func(tx *gorm.DB) error) error { return s.write(ctx, fn) }

// ObserveBatches has f told the size of every batch the committer commits
// (SQLite only; it reports whether there is a committer). Call it before
// any write.
func (s *Store) ObserveBatches(f func(size int)) bool {
	if s.committer == nil {
		return false
	}
	s.committer.observe = f
	return true
}

// SetCommitSleep replaces the committer's wait for more writes (SQLite
// only). Call it before any write.
func (s *Store) SetCommitSleep(f func(time.Duration)) { s.committer.sleep = f }

// QueuedWrites is how many writes wait for the committer.
func (s *Store) QueuedWrites() int { return len(s.committer.queue) }
