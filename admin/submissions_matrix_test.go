package admin_test

import (
	"net/url"
	"sync"

	"websignup/provision"
)

// The submissions pages, review actions and funnel in the route × role ×
// tenant matrix: every role of the tenant reads them, another tenant's
// form or submission is 404 (except to an operator), and only admins and
// operators act.

func init() {
	for k, v := range submissionMatrix {
		if _, dup := matrix[k]; dup {
			panic("submission matrix entry listed twice: " + k)
		}
		matrix[k] = v
	}
}

// matrixJobs are each tenant's two needs_review submissions: one whose
// charge went through, one whose charge is unresolved.
type matrixJobs struct{ review, unresolved [2]*provision.Job }

var matrixSeeds sync.Map // *env → *matrixJobs

func seededJobs(e *env) *matrixJobs {
	if m, ok := matrixSeeds.Load(e); ok {
		return m.(*matrixJobs)
	}
	m := &matrixJobs{}
	for i, foreign := range []bool{false, true} {
		f := target(e, foreign)
		m.review[i] = e.seed(f, seedJob{first: "Rita", last: "Review", email: "rita@example.com", status: provision.StatusNeedsReview})
		m.unresolved[i] = e.seed(f, seedJob{first: "Una", last: "Known", email: "una@example.com", status: provision.StatusNeedsReview, unresolvedCharge: true})
	}
	matrixSeeds.Store(e, m)
	return m
}

func tenantIndex(foreign bool) int {
	if foreign {
		return 1
	}
	return 0
}

func reviewPath(suffix string) func(*env, bool) string {
	return func(e *env, foreign bool) string {
		return "/admin/submissions/" + id(seededJobs(e).review[tenantIndex(foreign)].ID) + suffix
	}
}

func unresolvedPath(suffix string) func(*env, bool) string {
	return func(e *env, foreign bool) string {
		return "/admin/submissions/" + id(seededJobs(e).unresolved[tenantIndex(foreign)].ID) + suffix
	}
}

// resetting returns a form builder that first puts the tenant's seeded
// jobs back as they were, so each call acts on a job in needs_review.
func resetting(values url.Values) func(*env, bool, int) url.Values {
	return func(e *env, foreign bool, _ int) url.Values {
		m := seededJobs(e)
		e.restore(m.review[tenantIndex(foreign)])
		e.restore(m.unresolved[tenantIndex(foreign)])
		out := url.Values{}
		for k, v := range values {
			out[k] = append([]string(nil), v...)
		}
		return out
	}
}

var submissionMatrix = map[string]matrixCase{
	"GET /admin/submissions":               {path: fixed("/admin/submissions"), want: roleWants{same(toLogin), same(ok), same(ok), same(ok)}},
	"GET /admin/submissions/:id":           {path: reviewPath(""), want: readable(ok)},
	"GET /admin/forms/:id/submissions":     {path: formPath("/submissions"), want: readable(ok)},
	"GET /admin/forms/:id/submissions.csv": {path: formPath("/submissions.csv?status=needs_review"), want: readable(ok)},
	"GET /admin/forms/:id/funnel":          {path: formPath("/funnel"), want: readable(ok)},
	"POST /admin/submissions/:id/retry": {path: reviewPath("/retry"), form: resetting(url.Values{"retry_comment": {"matrix"}}),
		want: writable(redirect("/admin/submissions/"))},
	"POST /admin/submissions/:id/confirm-charge": {path: unresolvedPath("/confirm-charge"),
		form: resetting(url.Values{"transaction_id": {"4242"}, "confirm_comment": {"found in PortaSwitch"}}),
		want: writable(redirect("/admin/submissions/"))},
	"POST /admin/submissions/:id/resolve": {path: reviewPath("/resolve"), form: resetting(url.Values{"resolve_comment": {"refunded"}}),
		want: writable(redirect("/admin/submissions/"))},
}
