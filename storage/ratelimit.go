package storage

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// rateLimitTimeout bounds each query of RateLimitStorage, whose interface
// (fiber.Storage) carries no context.
const rateLimitTimeout = 2 * time.Second

// RateLimitStorage keeps the counters of Fiber's limiter middleware in the
// rate_limits table (migration 51), so that every instance behind a load
// balancer counts the same requests. It implements fiber.Storage.
//
// Each limited request costs one read and one upsert. The limiter reads,
// then writes, without a transaction: two instances counting the same
// client at the same instant may both count one request, so a client can
// occasionally get a request or two past the limit. Limits here are for
// abuse, not for billing; that is fine.
type RateLimitStorage struct {
	s    *Store
	now  func() time.Time
	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

var _ fiber.Storage = (*RateLimitStorage)(nil)

// RateLimits returns the limiter storage over s. Unless gcInterval is 0 or
// less, a goroutine deletes expired counters every gcInterval until Close.
func (s *Store) RateLimits(gcInterval time.Duration) *RateLimitStorage {
	r := &RateLimitStorage{s: s, now: time.Now, stop: make(chan struct{})}
	if gcInterval > 0 {
		r.wg.Add(1)
		go r.gc(gcInterval)
	}
	return r
}

func (r *RateLimitStorage) gc(every time.Duration) {
	defer r.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			if _, err := r.DeleteExpired(); err != nil {
				r.s.logger.Warn("rate limits: delete expired", "err", err)
			}
		}
	}
}

func (r *RateLimitStorage) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), rateLimitTimeout)
}

type rateLimitRow struct {
	Value     []byte
	ExpiresAt int64
}

// Get returns the value of key, or nil (and no error) when there is none
// or it expired.
func (r *RateLimitStorage) Get(key string) ([]byte, error) {
	ctx, cancel := r.ctx()
	defer cancel()
	var rows []rateLimitRow
	if err := r.s.db.WithContext(ctx).Raw(`SELECT value, expires_at FROM rate_limits WHERE key = ?`, key).
		Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("read rate limit: %w", err)
	}
	if len(rows) == 0 || (rows[0].ExpiresAt != 0 && rows[0].ExpiresAt <= r.now().UnixNano()) {
		return nil, nil
	}
	return rows[0].Value, nil
}

// Set stores val under key until exp from now (for ever when exp is 0).
func (r *RateLimitStorage) Set(key string, val []byte, exp time.Duration) error {
	if key == "" || len(val) == 0 {
		return nil
	}
	var expires int64
	if exp > 0 {
		expires = r.now().Add(exp).UnixNano()
	}
	ctx, cancel := r.ctx()
	defer cancel()
	_, err := r.s.exec(ctx, `INSERT INTO rate_limits (key, value, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
		key, val, expires)
	if err != nil {
		return fmt.Errorf("write rate limit: %w", err)
	}
	return nil
}

// Delete removes key.
func (r *RateLimitStorage) Delete(key string) error {
	ctx, cancel := r.ctx()
	defer cancel()
	if _, err := r.s.exec(ctx, `DELETE FROM rate_limits WHERE key = ?`, key); err != nil {
		return fmt.Errorf("delete rate limit: %w", err)
	}
	return nil
}

// Reset removes every counter.
func (r *RateLimitStorage) Reset() error {
	ctx, cancel := r.ctx()
	defer cancel()
	if _, err := r.s.exec(ctx, `DELETE FROM rate_limits`); err != nil {
		return fmt.Errorf("reset rate limits: %w", err)
	}
	return nil
}

// DeleteExpired removes the counters that have expired and reports how
// many.
func (r *RateLimitStorage) DeleteExpired() (int64, error) {
	ctx, cancel := r.ctx()
	defer cancel()
	n, err := r.s.exec(ctx, `DELETE FROM rate_limits WHERE expires_at <> 0 AND expires_at <= ?`, r.now().UnixNano())
	if err != nil {
		return 0, fmt.Errorf("delete expired rate limits: %w", err)
	}
	return n, nil
}

// Close stops the expiry goroutine; the Store stays open.
func (r *RateLimitStorage) Close() error {
	r.once.Do(func() { close(r.stop) })
	r.wg.Wait()
	return nil
}
