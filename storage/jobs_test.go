package storage_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"websignup/forms"
	"websignup/internal/seal"
	"websignup/provision"
	"websignup/storage"
	"websignup/storage/storagetest"
)

func jobStore(t *testing.T, s *storage.Store) *storage.JobStore {
	t.Helper()
	sealer, err := seal.New([]byte(strings.Repeat("k", 32)), "credentials")
	if err != nil {
		t.Fatal(err)
	}
	return s.Jobs(sealer)
}

func testOrder() provision.Order {
	return provision.Order{
		IParent: 1, Customer: map[string]string{"firstname": "Ada", "email": "ada@example.com"},
		IProduct: 2, Charge: forms.Money{Amount: 3490, Currency: "USD"}, ChargeComment: "Signup: Home",
		Number: "12065550100", IDidNumber: 7, IUAType: 1,
	}
}

func TestJobSaveAndLoad(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		js := jobStore(t, s)
		job := &provision.Job{FormID: 3, VersionID: 4, Order: testOrder()}
		if err := js.InsertJobForTest(ctx, job, "h1", 1); err != nil {
			t.Fatal(err)
		}
		claimed, err := js.ClaimDue(ctx, "w1", time.Minute, time.Now())
		if err != nil || claimed == nil || claimed.ID != job.ID {
			t.Fatalf("ClaimDue = %v, %v", claimed, err)
		}
		claimed.Status = provision.StatusRunning
		claimed.ICustomer, claimed.ITransaction = 11, 12
		claimed.Steps = append(claimed.Steps, provision.StepRecord{Name: provision.StepCustomer,
			Intent: time.Now().UTC().Truncate(time.Microsecond), Outcome: provision.OutcomeOK, RemoteID: 11})
		claimed.Credentials = provision.Credentials{Login: "12065550100", WebPassword: "SecretWeb123abc",
			SIPLogin: "12065550100", SIPPassword: "SecretSip456def"}
		claimed.LeaseOwner = "someone-else" // save must not write the lease
		if err := js.RecordResult(ctx, claimed, provision.StepCustomer); err != nil {
			t.Fatal(err)
		}
		got, err := js.Job(ctx, job.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.LeaseOwner != "w1" || got.LeaseUntil.IsZero() {
			t.Errorf("lease = %q %v, want w1 kept", got.LeaseOwner, got.LeaseUntil)
		}
		// A step's record writes the step, not the status: that is Update's.
		if got.Status != provision.StatusPending {
			t.Errorf("status after RecordResult = %q, want pending until Update", got.Status)
		}
		if got.ICustomer != 11 || got.ITransaction != 12 || len(got.Steps) != 1 || got.Steps[0].RemoteID != 11 {
			t.Errorf("loaded job = %+v", got)
		}
		if got.Order.Charge != (forms.Money{Amount: 3490, Currency: "USD"}) || got.Order.Customer["email"] != "ada@example.com" {
			t.Errorf("order = %+v", got.Order)
		}
		if got.Credentials != claimed.Credentials {
			t.Errorf("credentials = %v, want %v", got.Credentials, claimed.Credentials)
		}
		raw, err := js.RawJobColumn(ctx, job.ID, "credentials_sealed")
		if err != nil || raw == "" || strings.Contains(raw, "SecretWeb") {
			t.Errorf("credentials_sealed = %q, %v: want a sealed token", raw, err)
		}
		if got.SessionID != "h1" || !strings.HasPrefix(got.Reference, fmt.Sprintf("websignup-job-%d-", job.ID)) {
			t.Errorf("session %q reference %q", got.SessionID, got.Reference)
		}

		// Credentials are shown once, only once the job completed.
		if c, at, err := js.TakeCredentials(ctx, job.ID, time.Now(), 30*time.Minute); err != nil || c.WebPassword != "" || !at.IsZero() {
			t.Fatalf("TakeCredentials before completion = %v, %v, %v", c, at, err)
		}
		got.Status = provision.StatusCompleted
		if err := js.Update(ctx, got); err != nil {
			t.Fatal(err)
		}
		c, at, err := js.TakeCredentials(ctx, job.ID, time.Now(), 30*time.Minute)
		if err != nil || at.IsZero() || c.WebPassword != "SecretWeb123abc" {
			t.Fatalf("TakeCredentials = %v, %v, %v", c, at, err)
		}
		if raw, _ := js.RawJobColumn(ctx, job.ID, "credentials_sealed"); raw != "" {
			t.Errorf("credentials still stored after they were shown: %q", raw)
		}
		// A later save (e.g. by a late runner write) does not bring them back.
		if err := js.Update(ctx, got); err != nil {
			t.Fatal(err)
		}
		if raw, _ := js.RawJobColumn(ctx, job.ID, "credentials_sealed"); raw != "" {
			t.Errorf("credentials stored again after they were shown")
		}
		if c, at, err := js.TakeCredentials(ctx, job.ID, time.Now(), 30*time.Minute); err != nil || at.IsZero() || c.WebPassword != "" {
			t.Fatalf("second TakeCredentials = %v, %v, %v", c, at, err)
		}
	})
}

func TestCredentialsExpireUnseen(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		js := jobStore(t, s)
		job := &provision.Job{FormID: 1, VersionID: 1, Order: testOrder()}
		if err := js.InsertJobForTest(ctx, job, "h", 1); err != nil {
			t.Fatal(err)
		}
		job.Status = provision.StatusCompleted
		job.Credentials = provision.Credentials{Login: "1", WebPassword: "Abcdefgh1234", SIPLogin: "1", SIPPassword: "x"}
		if err := js.Update(ctx, job); err != nil {
			t.Fatal(err)
		}
		if n, err := js.EraseStaleCredentials(ctx, time.Now(), time.Hour); err != nil || n != 0 {
			t.Fatalf("EraseStaleCredentials of a fresh job = %d, %v", n, err)
		}
		if n, err := js.EraseStaleCredentials(ctx, time.Now().Add(2*time.Hour), time.Hour); err != nil || n != 1 {
			t.Fatalf("EraseStaleCredentials = %d, %v; want 1", n, err)
		}
		if c, at, err := js.TakeCredentials(ctx, job.ID, time.Now(), time.Hour); err != nil || c.WebPassword != "" || !at.IsZero() {
			t.Fatalf("TakeCredentials after erase = %v, %v, %v", c, at, err)
		}
		job2 := &provision.Job{FormID: 1, VersionID: 1, Order: testOrder()}
		if err := js.InsertJobForTest(ctx, job2, "h2", 1); err != nil {
			t.Fatal(err)
		}
		job2.Status, job2.Credentials = provision.StatusCompleted, job.Credentials
		if err := js.Update(ctx, job2); err != nil {
			t.Fatal(err)
		}
		if c, at, err := js.TakeCredentials(ctx, job2.ID, time.Now().Add(31*time.Minute), 30*time.Minute); err != nil || c.WebPassword != "" || !at.IsZero() {
			t.Fatalf("TakeCredentials after 31 minutes = %v, %v, %v; want nothing", c, at, err)
		}
		if raw, _ := js.RawJobColumn(ctx, job2.ID, "credentials_sealed"); raw != "" {
			t.Errorf("expired credentials still stored")
		}
	})
}

func TestClaimDueConcurrentClaimersNeverShareAJob(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		js := jobStore(t, s)
		const jobs, claimers = 20, 8
		for i := range jobs {
			j := &provision.Job{FormID: 1, VersionID: 1, Order: testOrder()}
			if err := js.InsertJobForTest(ctx, j, fmt.Sprintf("s%d", i), 1); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		owners := map[int64][]string{}
		var wg sync.WaitGroup
		now := time.Now()
		for w := range claimers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				owner := fmt.Sprintf("w%d", w)
				for {
					j, err := js.ClaimDue(ctx, owner, time.Hour, now)
					if err != nil {
						t.Errorf("ClaimDue: %v", err)
						return
					}
					if j == nil {
						return
					}
					if j.LeaseOwner != owner {
						t.Errorf("claimed job %d has lease owner %q, want %q", j.ID, j.LeaseOwner, owner)
					}
					mu.Lock()
					owners[j.ID] = append(owners[j.ID], owner)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(owners) != jobs {
			t.Errorf("%d jobs claimed, want %d", len(owners), jobs)
		}
		for id, o := range owners {
			if len(o) != 1 {
				t.Errorf("job %d claimed by %v", id, o)
			}
		}
	})
}

func TestClaimDueLeaseExpiryAndRelease(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		js := jobStore(t, s)
		now := time.Now()
		j := &provision.Job{FormID: 1, VersionID: 1, Order: testOrder()}
		if err := js.InsertJobForTest(ctx, j, "s", 1); err != nil {
			t.Fatal(err)
		}
		later := &provision.Job{FormID: 1, VersionID: 1, Order: testOrder(), Status: provision.StatusRetrying,
			NextAttemptAt: now.Add(time.Hour)}
		if err := js.InsertJobForTest(ctx, later, "s-later", 1); err != nil {
			t.Fatal(err)
		}
		done := &provision.Job{FormID: 1, VersionID: 1, Order: testOrder(), Status: provision.StatusCompleted}
		if err := js.InsertJobForTest(ctx, done, "s-done", 1); err != nil {
			t.Fatal(err)
		}

		a, err := js.ClaimDue(ctx, "a", time.Minute, now)
		if err != nil || a == nil || a.ID != j.ID {
			t.Fatalf("first claim = %v, %v", a, err)
		}
		if b, err := js.ClaimDue(ctx, "b", time.Minute, now.Add(30*time.Second)); err != nil || b != nil {
			t.Fatalf("claim during the lease = %v, %v; want none", b, err)
		}
		// A crashed worker's lease expires: another claims the job.
		b, err := js.ClaimDue(ctx, "b", time.Minute, now.Add(2*time.Minute))
		if err != nil || b == nil || b.ID != j.ID || b.LeaseOwner != "b" {
			t.Fatalf("claim after the lease = %v, %v; want job %d for b", b, err, j.ID)
		}
		// The old owner's release does not clear b's lease.
		if err := js.Release(ctx, a); err != nil {
			t.Fatal(err)
		}
		if c, _ := js.ClaimDue(ctx, "c", time.Minute, now.Add(2*time.Minute)); c != nil {
			t.Fatalf("stale release freed the job for c")
		}
		if err := js.Release(ctx, b); err != nil {
			t.Fatal(err)
		}
		c, err := js.ClaimDue(ctx, "c", 24*time.Hour, now.Add(2*time.Minute))
		if err != nil || c == nil || c.ID != j.ID {
			t.Fatalf("claim after release = %v, %v", c, err)
		}
		// The retrying job becomes due at its NextAttemptAt.
		d, err := js.ClaimDue(ctx, "d", time.Minute, now.Add(2*time.Hour))
		if err != nil || d == nil || d.ID != later.ID {
			t.Fatalf("claim of the retrying job = %v, %v", d, err)
		}
		// Saving a job that has not settled keeps its lease; saving it
		// settled ends the lease, with no Release.
		d.Attempts++
		if err := js.Update(ctx, d); err != nil {
			t.Fatal(err)
		}
		if got, _ := js.Job(ctx, d.ID); got.LeaseOwner != "d" {
			t.Fatalf("lease after saving a retrying job: %q, want d's", got.LeaseOwner)
		}
		d.Status = provision.StatusCompleted
		if err := js.Update(ctx, d); err != nil {
			t.Fatal(err)
		}
		if got, _ := js.Job(ctx, d.ID); got.LeaseOwner != "" || !got.LeaseUntil.IsZero() {
			t.Fatalf("settled job still leased to %q until %v", got.LeaseOwner, got.LeaseUntil)
		}
	})
}

func TestListJobs(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		js := jobStore(t, s)
		var ids []int64
		for i := range 5 {
			st := provision.StatusCompleted
			if i%2 == 1 {
				st = provision.StatusNeedsReview
			}
			form := int64(1)
			if i == 4 {
				form = 2
			}
			j := &provision.Job{FormID: form, VersionID: 1, Order: testOrder(), Status: st}
			if err := js.InsertJobForTest(ctx, j, fmt.Sprintf("s%d", i), 1); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, j.ID)
		}
		page, err := js.ListJobs(ctx, storage.JobFilter{FormID: 1, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 4 || len(page.Jobs) != 2 || page.Jobs[0].ID != ids[3] || page.Jobs[1].ID != ids[2] {
			t.Errorf("page 1 = total %d %v", page.Total, page.Jobs)
		}
		page, err = js.ListJobs(ctx, storage.JobFilter{FormID: 1, Statuses: []provision.Status{provision.StatusNeedsReview}})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 2 || len(page.Jobs) != 2 || page.Jobs[0].ID != ids[3] || page.Jobs[1].ID != ids[1] {
			t.Errorf("needs_review = total %d %v", page.Total, page.Jobs)
		}
		if _, err := js.Job(ctx, 9999); forms.ErrorCode(err) != forms.ENotFound {
			t.Errorf("Job(9999) = %v, want not found", err)
		}
	})
}
