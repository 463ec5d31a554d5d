// Package storagetest gives tests real databases: a fresh SQLite file per
// test, and a fresh PostgreSQL schema per test when the environment variable
// WEBSIGNUP_TEST_POSTGRES holds a postgres:// URL. Every database is removed
// when its test ends, so parallel runs never collide.
package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"websignup/storage"
)

// PostgresEnv names the environment variable holding the PostgreSQL URL
// tests may use, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const PostgresEnv = "WEBSIGNUP_TEST_POSTGRES"

// SQLiteDSN returns the path of a SQLite database file, not yet created, in
// the test's temporary folder.
func SQLiteDSN(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "websignup.db")
}

// PostgresDSN creates an empty schema in the database named by
// WEBSIGNUP_TEST_POSTGRES, returns a URL whose search_path is that schema,
// and drops the schema when the test ends. It skips the test when the
// variable is unset and fails it when PostgreSQL does not answer.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skip(PostgresEnv + " is not set")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("connect to %s: %v", PostgresEnv, err)
	}
	sqlDB, err := admin.DB()
	if err != nil {
		t.Fatal(err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])
	if err := admin.Exec(`CREATE SCHEMA ` + schema).Error; err != nil {
		_ = sqlDB.Close()
		t.Fatalf("create schema: %v", err)
	}
	// Registered before any store on the schema, so it runs after their
	// Close (cleanups run last-in first-out).
	t.Cleanup(func() {
		defer sqlDB.Close()
		if err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`).Error; err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// DSNs returns the databases a storage test should run on, by name:
// "sqlite" always, "postgres" when WEBSIGNUP_TEST_POSTGRES is set. The
// DSNs are created lazily by the returned functions, inside the subtest.
func DSNs() map[string]func(testing.TB) string {
	m := map[string]func(testing.TB) string{"sqlite": SQLiteDSN}
	if os.Getenv(PostgresEnv) != "" {
		m["postgres"] = PostgresDSN
	}
	return m
}

// Open opens the database at dsn, applies every migration, and closes it
// when the test ends. It fails the test on any error.
func Open(t testing.TB, dsn string) *storage.Store {
	t.Helper()
	s := OpenUnmigrated(t, dsn)
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// OpenUnmigrated opens the database at dsn without migrating it and closes
// it when the test ends.
func OpenUnmigrated(t testing.TB, dsn string) *storage.Store {
	t.Helper()
	s, err := storage.Open(context.Background(), dsn, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return s
}

// ForEachDSN runs fn as a subtest per database of DSNs, with a fresh,
// empty, unmigrated database.
func ForEachDSN(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	for _, name := range []string{"sqlite", "postgres"} {
		mk, ok := DSNs()[name]
		if !ok {
			continue
		}
		t.Run(name, func(t *testing.T) { fn(t, mk(t)) })
	}
}

// ForEachDB runs fn as a subtest per database of DSNs, with a fresh store
// migrated to the latest schema.
func ForEachDB(t *testing.T, fn func(t *testing.T, s *storage.Store)) {
	t.Helper()
	ForEachDSN(t, func(t *testing.T, dsn string) { fn(t, Open(t, dsn)) })
}
