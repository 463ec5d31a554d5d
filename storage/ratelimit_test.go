package storage_test

import (
	"bytes"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"websignup/storage"
	"websignup/storage/storagetest"
)

func TestRateLimitStorage(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		r := s.RateLimits(0)
		defer r.Close()
		if v, err := r.Get("k"); v != nil || err != nil {
			t.Fatalf("Get of nothing = %q, %v", v, err)
		}
		if err := r.Set("k", []byte{1, 2, 0, 3}, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := r.Set("k", []byte{4, 5}, time.Minute); err != nil {
			t.Fatal(err)
		}
		if v, err := r.Get("k"); !bytes.Equal(v, []byte{4, 5}) || err != nil {
			t.Fatalf("Get = %v, %v; want the last value set", v, err)
		}
		if err := r.Set("short", []byte{1}, 30*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if err := r.Set("forever", []byte{1}, 0); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
		if v, _ := r.Get("short"); v != nil {
			t.Errorf("an expired counter is still read: %v", v)
		}
		if n, err := r.DeleteExpired(); n != 1 || err != nil {
			t.Errorf("DeleteExpired = %d, %v; want 1", n, err)
		}
		if v, _ := r.Get("forever"); v == nil {
			t.Error("a counter without expiry was lost")
		}
		if err := r.Delete("k"); err != nil {
			t.Fatal(err)
		}
		if v, _ := r.Get("k"); v != nil {
			t.Error("Delete kept the counter")
		}
		if err := r.Reset(); err != nil {
			t.Fatal(err)
		}
		if v, _ := r.Get("forever"); v != nil {
			t.Error("Reset kept a counter")
		}
	})
}

// TestRateLimitSharedByInstances gives two apps (two instances, each with
// its own connection to one database) Fiber's limiter over the table: the
// limit counts the requests of both.
func TestRateLimitSharedByInstances(t *testing.T) {
	storagetest.ForEachDSN(t, func(t *testing.T, dsn string) {
		newApp := func() *fiber.App {
			s := storagetest.Open(t, dsn)
			r := s.RateLimits(time.Minute)
			t.Cleanup(func() { _ = r.Close() })
			app := fiber.New()
			app.Use(limiter.New(limiter.Config{Max: 3, Expiration: time.Minute, Storage: r,
				KeyGenerator: func(c *fiber.Ctx) string { return "step:" + c.Get("X-Client") }}))
			app.Get("/", func(c *fiber.Ctx) error { return c.SendString("ok") })
			return app
		}
		a, b := newApp(), newApp()
		get := func(app *fiber.App, client string) int {
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("X-Client", client)
			resp, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			return resp.StatusCode
		}
		for i, app := range []*fiber.App{a, b, a} {
			if code := get(app, "10.0.0.1"); code != 200 {
				t.Fatalf("request %d: %d", i+1, code)
			}
		}
		if code := get(b, "10.0.0.1"); code != fiber.StatusTooManyRequests {
			t.Errorf("4th request over two instances: %d, want 429", code)
		}
		if code := get(b, "10.0.0.2"); code != 200 {
			t.Errorf("another client: %d", code)
		}
	})
}
