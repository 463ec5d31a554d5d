package storage

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"websignup/forms"
)

// DefaultCacheCheckInterval is how often a FormCache asks the database
// whether anything it serves has changed: one single-row read per instance
// per interval, whatever the traffic.
const DefaultCacheCheckInterval = time.Second

// maxCachedSlugs bounds the published-form cache, which also remembers
// slugs that have no published form (so that a flood of unknown slugs does
// not reach the database): past it the cache starts afresh.
const maxCachedSlugs = 4096

// FormCache serves published forms and their versions from memory, decoded
// once, so that a wizard request costs no form query and no JSON decoding.
// It satisfies public.FormSource and public.VersionSource.
//
// It agrees with the database, and so with every other instance, through
// the cache_generation row (migration 50), which triggers bump whenever a
// version is published, archived, rolled back or deleted and whenever a form
// changes: at most once per check interval a request reads it, and when it
// moved the cache is emptied. A version published on one instance is thus
// served by every instance within about one interval. Drafts are never
// cached. It is safe for concurrent use; the values it returns share their
// slices with the cache and must not be modified.
type FormCache struct {
	s        *Store
	interval time.Duration
	now      func() time.Time

	// nextCheck is when the generation is read next (Unix nanoseconds);
	// checking is held by the one request reading it.
	nextCheck atomic.Int64
	checking  sync.Mutex

	mu        sync.RWMutex
	gen       int64
	published map[string]publishedEntry
	versions  map[int64]forms.Version

	hits, misses atomic.Uint64
}

type publishedEntry struct {
	form    forms.Form
	version forms.Version
	err     error // a forms.ENotFound error, remembered
}

// NewFormCache returns a cache over s that checks the generation every
// interval (DefaultCacheCheckInterval when <= 0). now may be nil (time.Now).
func NewFormCache(s *Store, interval time.Duration, now func() time.Time) *FormCache {
	if interval <= 0 {
		interval = DefaultCacheCheckInterval
	}
	if now == nil {
		now = time.Now
	}
	return &FormCache{s: s, interval: interval, now: now,
		published: map[string]publishedEntry{}, versions: map[int64]forms.Version{}}
}

// CacheGeneration returns the current value of the cache_generation row.
func (s *Store) CacheGeneration(ctx context.Context) (int64, error) {
	var gen int64
	if err := s.db.WithContext(ctx).Raw(`SELECT generation FROM cache_generation WHERE id = 1`).Scan(&gen).Error; err != nil {
		return 0, fmt.Errorf("read cache generation: %w", err)
	}
	return gen, nil
}

// check reads the generation when the interval has passed, unless another
// request is reading it, and empties the cache when it moved. A failed
// read keeps what is cached (the database's error will show on the
// requests that need it) and is tried again after the interval.
func (c *FormCache) check(ctx context.Context) {
	now := c.now().UnixNano()
	if now < c.nextCheck.Load() || !c.checking.TryLock() {
		return
	}
	defer c.checking.Unlock()
	if now < c.nextCheck.Load() {
		return
	}
	c.nextCheck.Store(now + int64(c.interval))
	gen, err := c.s.CacheGeneration(ctx)
	if err != nil {
		c.s.logger.WarnContext(ctx, "form cache: generation check failed", "err", err)
		return
	}
	c.mu.Lock()
	if gen != c.gen {
		c.gen = gen
		clear(c.published)
		clear(c.versions)
	}
	c.mu.Unlock()
}

// Invalidate empties the cache now, e.g. right after this instance
// published, so that it does not wait for the next check.
func (c *FormCache) Invalidate() {
	c.mu.Lock()
	c.gen = 0
	clear(c.published)
	clear(c.versions)
	c.mu.Unlock()
	c.nextCheck.Store(0)
}

// PublishedForm returns the form with the given slug and its published
// version, from memory when it can. It returns ENotFound when there is no
// such form or it has nothing published, and the database's error
// otherwise (errors other than ENotFound are not remembered).
func (c *FormCache) PublishedForm(ctx context.Context, slug string) (forms.Form, forms.Version, error) {
	c.check(ctx)
	c.mu.RLock()
	e, ok := c.published[slug]
	gen := c.gen
	c.mu.RUnlock()
	if ok {
		c.hits.Add(1)
		return e.form, e.version, e.err
	}
	c.misses.Add(1)
	f, v, err := c.s.PublishedForm(ctx, slug)
	if err != nil && forms.ErrorCode(err) != forms.ENotFound {
		return f, v, err
	}
	c.mu.Lock()
	// Keep it only if the cache was not emptied meanwhile: what was read
	// may predate the change that emptied it.
	if c.gen == gen {
		if len(c.published) >= maxCachedSlugs {
			clear(c.published)
		}
		c.published[slug] = publishedEntry{form: f, version: v, err: err}
		if err == nil {
			c.versions[v.ID] = v
		}
	}
	c.mu.Unlock()
	return f, v, err
}

// Version returns the version with the given id, from memory when it can.
// A version's content never changes once published, so published and
// archived versions are cached; drafts are read every time. It returns
// ENotFound for an unknown id.
func (c *FormCache) Version(ctx context.Context, id int64) (forms.Version, error) {
	c.check(ctx)
	c.mu.RLock()
	v, ok := c.versions[id]
	gen := c.gen
	c.mu.RUnlock()
	if ok {
		c.hits.Add(1)
		return v, nil
	}
	c.misses.Add(1)
	v, err := c.s.Version(ctx, id)
	if err != nil || v.Status == forms.StatusDraft {
		return v, err
	}
	c.mu.Lock()
	if c.gen == gen && len(c.versions) < maxCachedSlugs {
		c.versions[id] = v
	}
	c.mu.Unlock()
	return v, nil
}

// CacheStats are a FormCache's lookups since it was made.
type CacheStats struct {
	Hits, Misses uint64
}

// Stats returns how many lookups the cache answered from memory and how
// many it read from the database.
func (c *FormCache) Stats() CacheStats {
	return CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load()}
}
