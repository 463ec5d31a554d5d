// Package memo keeps values worked out once from a comparable key, for
// things a page shows again and again (markup, a formatted number, a
// version's view models), bounded: when full, it starts afresh, which
// costs a few recomputations and never grows without end.
package memo

import "sync"

// Map is a bounded map safe for concurrent use. Its zero value holds
// nothing and keeps up to DefaultMax entries.
type Map[K comparable, V any] struct {
	// Max is how many entries it keeps before starting afresh (0:
	// DefaultMax).
	Max int

	mu sync.RWMutex
	m  map[K]V
}

// DefaultMax is a Map's bound when Max is 0.
const DefaultMax = 1024

// Load returns the value stored under k, if any.
func (c *Map[K, V]) Load(k K) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	return v, ok
}

// Store keeps v under k, emptying the map first when it is full.
func (c *Map[K, V]) Store(k K, v V) {
	max := c.Max
	if max <= 0 {
		max = DefaultMax
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= max {
		c.m = make(map[K]V)
	}
	c.m[k] = v
	c.mu.Unlock()
}

// Len reports how many entries it keeps.
func (c *Map[K, V]) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
