package memo_test

import (
	"sync"
	"testing"

	"websignup/internal/memo"
)

func TestMapKeepsAndStartsAfreshWhenFull(t *testing.T) {
	m := memo.Map[int, string]{Max: 3}
	if _, ok := m.Load(1); ok {
		t.Fatal("an empty map found a value")
	}
	for i := range 3 {
		m.Store(i, string(rune('a'+i)))
	}
	if v, ok := m.Load(2); !ok || v != "c" {
		t.Fatalf("Load(2) = %q, %v", v, ok)
	}
	m.Store(3, "d") // full: starts afresh
	if m.Len() != 1 {
		t.Errorf("Len = %d after a store into a full map, want 1", m.Len())
	}
	if _, ok := m.Load(0); ok {
		t.Error("an entry survived starting afresh")
	}
	if v, _ := m.Load(3); v != "d" {
		t.Errorf("Load(3) = %q", v)
	}
}

func TestMapConcurrent(t *testing.T) {
	var m memo.Map[int, int]
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				k := (i + g) % 1500
				if v, ok := m.Load(k); ok && v != k*k {
					t.Errorf("Load(%d) = %d", k, v)
					return
				}
				m.Store(k, k*k)
			}
		})
	}
	wg.Wait()
	if m.Len() > memo.DefaultMax {
		t.Errorf("Len = %d, above the bound %d", m.Len(), memo.DefaultMax)
	}
}
