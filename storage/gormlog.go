package storage

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	gormlogger "gorm.io/gorm/logger"
)

// slowQuery is how long a query runs before it is logged as slow.
const slowQuery = 500 * time.Millisecond

// quietTrace wraps GORM's logger so that a query that neither failed nor was
// slow costs nothing: GORM's own slog logger renders every query's SQL (its
// trace callback) before deciding not to log it, some 3% of websignup's CPU
// in a signup run. What is logged is unchanged: failures (other than "record
// not found"), slow queries, and every query when the level is Info.
type quietTrace struct {
	gormlogger.Interface
	level gormlogger.LogLevel
	slow  time.Duration
}

// LogMode implements gormlogger.Interface.
func (q quietTrace) LogMode(level gormlogger.LogLevel) gormlogger.Interface {
	return quietTrace{Interface: q.Interface.LogMode(level), level: level, slow: q.slow}
}

// Trace implements gormlogger.Interface.
func (q quietTrace) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if q.level < gormlogger.Info && (err == nil || errors.Is(err, gorm.ErrRecordNotFound)) && time.Since(begin) <= q.slow {
		return
	}
	q.Interface.Trace(ctx, begin, fc, err)
}
