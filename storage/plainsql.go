package storage

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"websignup/internal/memo"
)

// The statements of the hottest writes (a wizard step's save, a number's
// hold, a provisioning step's record) go to database/sql directly, on the
// connection of the transaction GORM opened, through sqlExec and sqlQueryRow.
// GORM's Exec and Raw build a new statement object per call and copy the SQL
// byte by byte to find its placeholders: for a signup's few dozen statements
// that was 6% of its CPU (docs/performance.md). What GORM would log
// (failures and slow statements, see quietTrace) is logged the same.

// sqlExec runs query with args in tx and returns how many rows it changed.
// Errors are translated as GORM's are (gorm.ErrDuplicatedKey and so on).
func sqlExec(tx *gorm.DB, query string, args ...any) (int64, error) {
	ctx, begin := txContext(tx), time.Now()
	var n int64
	res, err := tx.Statement.ConnPool.ExecContext(ctx, nativeSQL(tx, query), args...)
	if err == nil {
		n, err = res.RowsAffected()
	}
	err = translate(tx, err)
	tx.Logger.Trace(ctx, begin, func() (string, int64) { return query, n }, err)
	return n, err
}

// sqlQueryRow runs query with args in tx and scans its first row into dest.
// It reports false, with no error, when there is no row.
func sqlQueryRow(tx *gorm.DB, query string, args []any, dest ...any) (bool, error) {
	ctx, begin := txContext(tx), time.Now()
	err := tx.Statement.ConnPool.QueryRowContext(ctx, nativeSQL(tx, query), args...).Scan(dest...)
	found := err == nil
	if isNoRows(err) {
		err = nil
	}
	err = translate(tx, err)
	tx.Logger.Trace(ctx, begin, func() (string, int64) { return query, 0 }, err)
	return found, err
}

func txContext(tx *gorm.DB) context.Context {
	if ctx := tx.Statement.Context; ctx != nil {
		return ctx
	}
	return context.Background()
}

// postgresSQL holds the queries rewritten for PostgreSQL, by their text (a
// few dozen constant strings).
var postgresSQL = memo.Map[string, string]{Max: 256}

// nativeSQL is query in tx's engine's placeholders: SQLite takes "?" as
// written; PostgreSQL wants $1, $2, ... (the queries hold no "?" but
// placeholders).
func nativeSQL(tx *gorm.DB, query string) string {
	if tx.Dialector.Name() != string(Postgres) {
		return query
	}
	if q, ok := postgresSQL.Load(query); ok {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] != '?' {
			b.WriteByte(query[i])
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	postgresSQL.Store(query, b.String())
	return b.String()
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// rowScanner is a row of sqlQuery's result.
type rowScanner interface{ Scan(dest ...any) error }

// sqlQuery runs query with args in db and calls scan for each row.
func sqlQuery(db *gorm.DB, query string, args []any, scan func(row rowScanner) error) error {
	ctx, begin := txContext(db), time.Now()
	n := int64(0)
	err := func() error {
		rows, err := db.Statement.ConnPool.QueryContext(ctx, nativeSQL(db, query), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			n++
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}()
	err = translate(db, err)
	db.Logger.Trace(ctx, begin, func() (string, int64) { return query, n }, err)
	return err
}
