package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"websignup/forms"
	"websignup/storage"
	"websignup/storage/storagetest"
)

func TestSelfcareSessions(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Now()
		if err := s.CreateSelfcareSession(ctx, "id1", "state1", now, now.Add(8*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if st, err := s.SelfcareSession(ctx, "id1", now.Add(10*time.Minute), 30*time.Minute); err != nil || st != "state1" {
			t.Fatalf("SelfcareSession = %q, %v", st, err)
		}
		if err := s.UpdateSelfcareSession(ctx, "id1", "state2"); err != nil {
			t.Fatal(err)
		}
		// Seen at +10m, so still alive at +35m, but not after 30 idle minutes more.
		if st, err := s.SelfcareSession(ctx, "id1", now.Add(35*time.Minute), 30*time.Minute); err != nil || st != "state2" {
			t.Fatalf("SelfcareSession after update = %q, %v", st, err)
		}
		if _, err := s.SelfcareSession(ctx, "id1", now.Add(70*time.Minute), 30*time.Minute); forms.ErrorCode(err) != forms.ENotFound {
			t.Fatalf("idle session = %v, want not found", err)
		}
		// Absolute expiry, however active.
		if err := s.CreateSelfcareSession(ctx, "id2", "s", now, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		for m := 20; m < 60; m += 20 {
			if _, err := s.SelfcareSession(ctx, "id2", now.Add(time.Duration(m)*time.Minute), 30*time.Minute); err != nil {
				t.Fatalf("at +%dm: %v", m, err)
			}
		}
		if _, err := s.SelfcareSession(ctx, "id2", now.Add(61*time.Minute), 30*time.Minute); forms.ErrorCode(err) != forms.ENotFound {
			t.Fatalf("session past its absolute expiry = %v", err)
		}
		if err := s.DeleteSelfcareSession(ctx, "nope"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLoginThrottle(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Now()
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.ThrottleHit(ctx, "login:x", 15*time.Minute, now); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if n, err := s.ThrottleCount(ctx, "login:x", 15*time.Minute, now.Add(time.Minute)); err != nil || n != 10 {
			t.Fatalf("count = %d, %v; want 10", n, err)
		}
		if n, _ := s.ThrottleCount(ctx, "login:x", 15*time.Minute, now.Add(16*time.Minute)); n != 0 {
			t.Fatalf("count after the window = %d", n)
		}
		if n, err := s.ThrottleHit(ctx, "login:x", 15*time.Minute, now.Add(16*time.Minute)); err != nil || n != 1 {
			t.Fatalf("hit in a new window = %d, %v", n, err)
		}
		if err := s.ThrottleReset(ctx, "login:x"); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.ThrottleCount(ctx, "login:x", 15*time.Minute, now.Add(16*time.Minute)); n != 0 {
			t.Fatalf("count after reset = %d", n)
		}
	})
}
