package storage_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"websignup/provision"
	"websignup/storage"
	"websignup/storage/storagetest"
)

// TestOneSessionHash guards against a second copy of SessionHash: two
// helpers that must agree byte for byte (or a job no longer finds its
// session and hold) are one edit away from disagreeing. In the package's
// own code, only SessionHash may hash a string with SHA-256.
func TestOneSessionHash(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil || fn.Name.Name == "SessionHash" {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) != 1 {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Sum256" {
					return true
				}
				// sha256.Sum256([]byte(s)): a string hashed, as a session id is.
				if conv, ok := call.Args[0].(*ast.CallExpr); ok {
					if at, ok := conv.Fun.(*ast.ArrayType); ok && at.Len == nil {
						t.Errorf("%s: %s hashes a string with SHA-256; use SessionHash", fset.Position(call.Pos()), fn.Name.Name)
					}
				}
				return true
			})
		}
	}
}

// TestSessionHashKeysSessionsHoldsAndJobs checks that the wizard session,
// its number hold and its job are all stored under SessionHash of the raw
// id, which is how a settled job finds the session and hold to change.
func TestSessionHashKeysSessionsHoldsAndJobs(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		const sid = "session-hash-0123456789abcdef0123456789abcdef"
		f, v := signupSession(t, s, sid, "12065550177")
		job, _, err := jobStore(t, s).StartSignup(ctx, sid, &provision.Job{FormID: f.ID, VersionID: v.ID, Order: testOrder()},
			"req", time.Minute, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		want := storage.SessionHash(sid)
		db := s.WizardDBForTest()
		var sessions, holds int64
		if err := db.Raw(`SELECT COUNT(*) FROM wizard_sessions WHERE id_hash = ?`, want).Scan(&sessions).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Raw(`SELECT COUNT(*) FROM number_holds WHERE session_hash = ?`, want).Scan(&holds).Error; err != nil {
			t.Fatal(err)
		}
		if sessions != 1 || holds != 1 || job.SessionID != want {
			t.Fatalf("under SessionHash: %d sessions, %d holds, job's session %q; want 1, 1, %q", sessions, holds, job.SessionID, want)
		}
	})
}
