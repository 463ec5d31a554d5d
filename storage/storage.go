// Package storage keeps websignup's data in a relational database through
// GORM: SQLite by default (one file, WAL), PostgreSQL when given a
// postgres:// address.
//
// GORM records are private to this package; every method takes and returns
// forms types, and turns "not found" and "duplicate key" into forms.Error
// codes ENotFound and EConflict, so callers never see a driver error they
// would have to classify. The schema evolves through the numbered migrations
// in migrate.go, never through AutoMigrate.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	gormlogger "gorm.io/gorm/logger"

	"websignup/forms"
)

// DefaultSQLitePath is the database file Open uses when given an empty DSN.
const DefaultSQLitePath = "data/websignup.db"

// Dialect names the database engine behind a Store.
type Dialect string

// The supported database engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store is websignup's database. It is safe for concurrent use.
type Store struct {
	db      *gorm.DB
	dialect Dialect
	logger  *slog.Logger
	// committer batches SQLite's write transactions (write.go); nil on
	// PostgreSQL, whose writers do not exclude each other.
	committer *committer
	// sqlDB is db's connection pool, for the hottest reads, and
	// sessionQuery the wizard session read in the engine's placeholders.
	sqlDB        *sql.DB
	sessionQuery string
}

const sessionQuery = `SELECT id_hash, form_id, version_id, progress, card_brand, card_last4,
	created_at, updated_at, expires_at, signed_up_at
	FROM wizard_sessions WHERE id_hash = `

// Open connects to the database named by dsn and returns a Store. It does
// not migrate: call Migrate before use.
//
// An empty dsn opens the SQLite file DefaultSQLitePath; a file path or a
// "file:" URI opens that SQLite file (creating its folder); a postgres:// or
// postgresql:// URL opens PostgreSQL. Any other scheme is an EInvalid error.
// A nil logger discards the log.
func Open(ctx context.Context, dsn string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	dialect, dialector, err := dialectorFor(dsn)
	if err != nil {
		return nil, err
	}
	db, err := gorm.Open(dialector, &gorm.Config{
		TranslateError: true,
		// No PrepareStmt: PostgreSQL's driver (pgx) caches its prepared
		// statements already; on SQLite GORM's cache saved no measurable
		// CPU per signup (see docs/performance.md) and one bench run under
		// it stalled, unexplained, so it stays off until proven safe.
		// Times are kept in UTC at the precision both engines store, so a
		// value read back equals the value written.
		NowFunc: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
		Logger: quietTrace{level: gormlogger.Warn, slow: slowQuery,
			Interface: gormlogger.NewSlogLogger(logger.With("component", "storage"), gormlogger.Config{
				SlowThreshold:             slowQuery,
				LogLevel:                  gormlogger.Warn,
				IgnoreRecordNotFoundError: true,
				// Never write the values of a query to the log: they are
				// prospects' personal data.
				ParameterizedQueries: true,
			})},
	})
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	switch dialect {
	case SQLite:
		// WAL lets readers run beside the one writer, and every write
		// transaction begins IMMEDIATE (see sqliteDSN), so writers queue on
		// the busy timeout instead of failing with SQLITE_BUSY half way. A
		// few connections are enough for that; more would only queue.
		sqlDB.SetMaxOpenConns(4)
		sqlDB.SetMaxIdleConns(4)
	case Postgres:
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(5)
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
	}
	s := &Store{db: db, dialect: dialect, logger: logger, sqlDB: sqlDB, sessionQuery: sessionQuery + "?"}
	if dialect == Postgres {
		s.sessionQuery = sessionQuery + "$1"
	}
	if err := s.Ping(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	if dialect == SQLite {
		s.committer = newCommitter(db)
	}
	return s, nil
}

// dialectorFor picks the database engine for dsn.
func dialectorFor(dsn string) (Dialect, gorm.Dialector, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return Postgres, postgres.Open(dsn), nil
	case strings.Contains(dsn, "://"):
		scheme, _, _ := strings.Cut(dsn, "://")
		return "", nil, forms.Errorf(forms.EInvalid,
			"unsupported database URL scheme %q: use a SQLite file path or postgres://", scheme)
	}
	full, err := sqliteDSN(dsn)
	if err != nil {
		return "", nil, err
	}
	return SQLite, sqlite.Open(full), nil
}

// sqliteDSN turns a file path or "file:" URI into a go-sqlite3 DSN with the
// settings websignup relies on, creating the file's folder. Settings already
// given in a "file:" URI's query win.
func sqliteDSN(dsn string) (string, error) {
	if dsn == "" {
		dsn = DefaultSQLitePath
	}
	path, rawQuery, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if path == "" || path == ":memory:" {
		// An in-memory database would be a different, empty database on
		// every pooled connection.
		return "", forms.Errorf(forms.EInvalid, "a SQLite database needs a file path")
	}
	query, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", forms.Errorf(forms.EInvalid, "bad SQLite DSN options %q: %v", rawQuery, err)
	}
	defaults := map[string]string{
		"_journal_mode": "WAL",
		"_busy_timeout": "5000",
		"_foreign_keys": "on",
		// FULL, not NORMAL: in WAL mode NORMAL may lose the last commits
		// on a power cut, and a lost "intent to charge" record would let
		// a resumed job charge again. One fsync per commit is the price.
		"_synchronous": "FULL",
		"_txlock":      "immediate",
		// The driver keeps each connection's last 64 statements prepared
		// (reset and unbound between uses): a hot path parses no SQL.
		"_stmt_cache_size": "64",
	}
	for k, v := range defaults {
		if !query.Has(k) {
			query.Set(k, v)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return "", fmt.Errorf("create database folder: %w", err)
	}
	return "file:" + path + "?" + query.Encode(), nil
}

// Dialect reports which database engine the Store uses.
func (s *Store) Dialect() Dialect { return s.dialect }

// Ping checks that the database answers. It returns an error when it does
// not, e.g. for a readiness probe.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Close closes the database connections. It returns the driver's error, if any.
func (s *Store) Close() error {
	if s.committer != nil {
		s.committer.close()
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// translate turns a driver's error into GORM's (gorm.ErrDuplicatedKey,
// ...), as GORM does for the errors of its own calls but not for those of
// a *sql.Row from Raw().Row().
func translate(db *gorm.DB, err error) error {
	if t, ok := db.Dialector.(gorm.ErrorTranslator); ok && err != nil {
		return t.Translate(err)
	}
	return err
}

// dbError turns a GORM error into a domain error where the caller can act on
// it (not found, duplicate key, missing referent) and wraps anything else
// with what was being done.
func dbError(err error, doing, thing string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return forms.Errorf(forms.ENotFound, "%s not found", thing)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return forms.Errorf(forms.EConflict, "%s already exists", thing)
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return forms.Errorf(forms.EInvalid, "%s refers to something that does not exist", thing)
	}
	var fe *forms.Error
	if errors.As(err, &fe) {
		return err
	}
	return fmt.Errorf("%s: %w", doing, err)
}
