package storage

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"
	gormlogger "gorm.io/gorm/logger"
)

type traceRecorder struct {
	gormlogger.Interface
	traced int
}

func (r *traceRecorder) Trace(context.Context, time.Time, func() (string, int64), error) { r.traced++ }

// TestQuietTrace: a fast, successful query is not rendered for the log; a
// failed or slow one still reaches GORM's logger, and at Info level all do.
func TestQuietTrace(t *testing.T) {
	rendered := 0
	fc := func() (string, int64) { rendered++; return "SELECT 1", 1 }
	rec := &traceRecorder{}
	q := quietTrace{Interface: rec, level: gormlogger.Warn, slow: slowQuery}
	ctx := context.Background()
	q.Trace(ctx, time.Now(), fc, nil)
	q.Trace(ctx, time.Now(), fc, gorm.ErrRecordNotFound)
	if rec.traced != 0 || rendered != 0 {
		t.Fatalf("a fast query was traced %d times, rendered %d times", rec.traced, rendered)
	}
	q.Trace(ctx, time.Now(), fc, errors.New("disk I/O error"))
	q.Trace(ctx, time.Now().Add(-time.Second), fc, nil)
	if rec.traced != 2 {
		t.Fatalf("failed and slow queries traced %d times, want 2", rec.traced)
	}
	q.level = gormlogger.Info
	q.Trace(ctx, time.Now(), fc, nil)
	if rec.traced != 3 {
		t.Fatal("at Info level a query was not traced")
	}
}
