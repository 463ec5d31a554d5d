package public_test

import (
	"net"
	"testing"

	"github.com/valyala/fasthttp"

	"websignup/forms"
	"websignup/internal/web"
	"websignup/public"
)

// The page GET benchmarks run a wizard GET through the real app (web.New's
// middleware, the CSRF check, loading the form and session, building the
// view model, rendering into the response) as fasthttp's server calls it,
// without a connection: what websignup's CPU does per request, less the
// network and the database (the form source and sessions are the fakes).

// benchGET serves path with the cookies of a prospect who reached step, or
// with no cookies at all when step is "" (a first visit, as the load bench
// sends the welcome page: a new CSRF cookie every time).
func benchGET(b *testing.B, step forms.Step, path string) {
	e := newWizardEnv(b)
	br := e.browser()
	if step != "" {
		br.get("/s/demo/")
		br.walkTo(step)
	}

	// The same deps as e's app, with the request log discarded: the
	// benchmark measures the page, not a growing log buffer.
	app := web.New(web.Options{})
	public.Register(app, public.Deps{
		Forms: &fakeForms{PublishedFormFn: e.publishedForm}, Versions: e.versions,
		Sessions: e.sessions, Numbers: e.numbers, Secret: testSecret, Now: e.clock,
	})
	handler := app.Handler()

	var req fasthttp.Request
	req.Header.SetMethod(fasthttp.MethodGet)
	req.SetRequestURI(path)
	if step != "" {
		for _, c := range br.cookies {
			req.Header.SetCookie(c.Name, c.Value)
		}
	}
	var ctx fasthttp.RequestCtx
	ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4242}, nil)
	b.ReportAllocs()
	for b.Loop() {
		// As fasthttp's server does between the requests of a connection:
		// the response's body buffer goes back to its pool.
		ctx.Response.Reset()
		handler(&ctx)
		if ctx.Response.StatusCode() != fasthttp.StatusOK {
			b.Fatalf("GET %s: %d %.300s", path, ctx.Response.StatusCode(), ctx.Response.Body())
		}
	}
}

func BenchmarkWelcomeGET(b *testing.B) { benchGET(b, "", "/s/demo/") }

func BenchmarkAddressGET(b *testing.B) { benchGET(b, forms.StepAddress, "/s/demo/address") }
