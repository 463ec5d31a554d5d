package storage

import "context"

// ExecForTest runs a statement on the database, for tests that need to put
// a row in a state no method makes.
func (s *Store) ExecForTest(ctx context.Context, sql string, args ...any) error {
	return s.db.WithContext(ctx).Exec(sql, args...).Error
}
