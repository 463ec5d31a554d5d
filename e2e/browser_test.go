package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// chromiumPath is Debian's Chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

// Viewport sizes: a desktop, and a phone (an iPhone 12–15 is 390 CSS
// pixels wide).
const (
	desktopWidth, desktopHeight = 1280, 900
	phoneWidth, phoneHeight     = 390, 844
)

// testTimeout bounds one browser test, browser start included;
// actionTimeout one step of it (a query waits that long for its element);
// navTimeout one page load after a click or a key press.
const (
	testTimeout   = 3 * time.Minute
	actionTimeout = 30 * time.Second
	navTimeout    = 30 * time.Second
)

// onCI reports whether the CI variable is set (to anything but false or
// 0): browser tests must then run, not skip.
func onCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v != "" && v != "false" && v != "0"
}

// requireBrowser skips the test when Chromium or axe-core is missing, or
// fails it on CI, where both must be there.
func requireBrowser(t *testing.T) {
	t.Helper()
	missing := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if onCI() {
			t.Fatalf("%s (CI is set, so browser tests must run)", msg)
		}
		t.Skipf("%s: skipping the browser test (CI is not set)", msg)
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		missing("%s is missing (apt-get install chromium)", chromiumPath)
	}
	if _, err := axeSource(); err != nil {
		missing("axe-core is missing (run make deps): %v", err)
	}
	if testing.Short() {
		t.Skip("browser tests do not run with -short")
	}
}

var (
	axeOnce sync.Once
	axeJS   string
	axeErr  error
)

// axeSource returns node_modules/axe-core/axe.min.js of the repository.
func axeSource() (string, error) {
	axeOnce.Do(func() {
		root, err := repoRoot()
		if err != nil {
			axeErr = err
			return
		}
		b, err := os.ReadFile(filepath.Join(root, "node_modules", "axe-core", "axe.min.js"))
		if err != nil {
			axeErr = err
			return
		}
		axeJS = string(b)
	})
	return axeJS, axeErr
}

// browser is one Chromium with one tab, driven by a test. Its methods fail
// the test on error, naming the page they were on.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string

	// width and height are the current viewport size.
	width, height int64
	// shots counts the screenshots taken, to number them in order.
	shots int
	// output is Chromium's own output, shown when the test fails.
	output *syncBuffer
	// axeSeen holds the violations already reported in full (rule and
	// element), so that a fault of the shared layout is listed once.
	axeSeen map[string]bool
	// quiet skips check, checkPhone and shot, for a test that walks
	// through pages another test checks already.
	quiet bool
}

// newBrowser starts a headless Chromium with a fresh profile and a
// 1280-wide viewport, for pages under base; it ends with the test.
func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	requireBrowser(t)
	output := &syncBuffer{}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "en-US"),
		// Back/forward-cache restores send no load events, which chromedp
		// cannot follow; without the cache Back loads the page again.
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,BackForwardCache"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(desktopWidth, desktopHeight),
		chromedp.CombinedOutput(output),
	)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancel()
		if t.Failed() {
			if out := chromiumErrors(output.String()); out != "" {
				t.Logf("chromium output:\n%s", out)
			}
		}
	})
	b := &browser{t: t, ctx: bctx, base: base, output: output}
	// The first action starts Chromium, which lives as long as the
	// context of that action: bctx, not one with a timeout.
	err := chromedp.Do(bctx,
		chromedp.EmulateViewport(desktopWidth, desktopHeight),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: pageWatch})
			return err
		}),
	)
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	b.width, b.height = desktopWidth, desktopHeight
	return b
}

// chromiumErrors is Chromium's output without the noise of a machine
// with no D-Bus or display services.
func chromiumErrors(out string) string {
	var keep []string
	for line := range strings.Lines(out) {
		if strings.Contains(line, "dbus") || strings.Contains(line, "unexpected operator") {
			continue
		}
		keep = append(keep, strings.TrimRight(line, "\n"))
	}
	return strings.Join(keep, "\n")
}

// where describes the current page for error messages.
func (b *browser) where() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(unknown page)"
	}
	return loc
}

// do runs actions, failing the test with what on error.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s (on %s): %v", what, b.where(), err)
	}
}

// run runs one action that returns a value.
func run[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s (on %s): %v", what, b.where(), err)
	}
	return v
}

// open loads path (under the server's base URL) and waits for it.
func (b *browser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path))
}

// openStatus loads path and returns the HTTP status of its document.
func (b *browser) openStatus(path string) int {
	b.t.Helper()
	resp := run(b, "open "+path, chromedp.NavigateResponse(b.base+path))
	if resp == nil {
		b.t.Fatalf("open %s: no response", path)
	}
	return int(resp.Status)
}

// path is the current page's path and query, e.g. /s/demo/address.
func (b *browser) path() string {
	b.t.Helper()
	return run(b, "read the location", chromedp.Evaluate[string](`location.pathname + location.search`))
}

// wantPath fails the test unless the browser is on path.
func (b *browser) wantPath(want string) {
	b.t.Helper()
	if got := b.path(); got != want {
		b.t.Fatalf("on %s, want %s; page text:\n%s", got, want, b.text("main"))
	}
}

// navigating runs trigger (a click, a key press) and waits until the page
// it leads to has loaded.
func (b *browser) navigating(what string, trigger chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, navTimeout)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, trigger))
	if err != nil {
		b.t.Fatalf("%s (on %s): %v", what, b.where(), err)
	}
}

// back presses the browser's Back button and waits for the page it loads
// (the back/forward cache is off: see newBrowser).
func (b *browser) back() {
	b.t.Helper()
	b.navigating("go back", chromedp.Evaluate[chromedp.Void](`history.back()`))
}

// clickNav clicks the element sel and waits for the page it loads.
func (b *browser) clickNav(sel string) {
	b.t.Helper()
	b.navigating("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// click clicks the element sel (no page load expected).
func (b *browser) click(sel string) {
	b.t.Helper()
	b.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// fill replaces the value of the input sel by typing value into it.
func (b *browser) fill(sel, value string) {
	b.t.Helper()
	b.do("fill "+sel,
		chromedp.Clear(chromedp.CSS(sel)),
		chromedp.SendKeys(chromedp.CSS(sel), value),
	)
}

// text is the visible text of the first element sel, trimmed.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(run(b, "read the text of "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// value is the value of the input sel.
func (b *browser) value(sel string) string {
	b.t.Helper()
	return run(b, "read the value of "+sel, chromedp.Value(chromedp.CSS(sel)))
}

// eval evaluates a JavaScript expression and decodes its value.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	return run(b, "evaluate "+expr, chromedp.Evaluate[T](expr))
}

// count is how many elements match sel right now (no waiting).
func (b *browser) count(sel string) int {
	b.t.Helper()
	return eval[int](b, fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(sel)))
}

// checked reports whether the checkbox or radio sel is checked.
func (b *browser) checked(sel string) bool {
	b.t.Helper()
	return eval[bool](b, fmt.Sprintf(`!!document.querySelector(%s)?.checked`, jsString(sel)))
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// focused describes the element that has the keyboard focus.
type focused struct {
	Tag    string `json:"tag"`
	ID     string `json:"id"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Value  string `json:"value"`
	TestID string `json:"testid"`
	Text   string `json:"text"`
}

func (f focused) String() string {
	s := "<" + strings.ToLower(f.Tag)
	for _, a := range [][2]string{{"id", f.ID}, {"name", f.Name}, {"type", f.Type}, {"value", f.Value}, {"data-testid", f.TestID}} {
		if a[1] != "" {
			s += fmt.Sprintf(" %s=%q", a[0], a[1])
		}
	}
	s += ">"
	if f.Text != "" {
		s += " " + f.Text
	}
	return s
}

// activeElement is the element with the keyboard focus.
func (b *browser) activeElement() focused {
	b.t.Helper()
	return eval[focused](b, `(() => {
		const e = document.activeElement || document.body;
		return {tag: e.tagName, id: e.id || "", name: e.getAttribute("name") || "",
			type: e.getAttribute("type") || "", value: e.value === undefined ? "" : String(e.value),
			testid: e.getAttribute("data-testid") || "",
			text: (e.innerText || "").trim().replace(/\s+/g, " ").slice(0, 60)};
	})()`)
}

// press sends keys (chromedp/kb names such as kb.Tab, kb.Enter, or
// printable characters) to whatever has the focus, as a keyboard would.
func (b *browser) press(keys string) {
	b.t.Helper()
	b.do(fmt.Sprintf("press %q", keys), chromedp.KeyEvent(keys))
}

// pressNav presses keys and waits for the page they load.
func (b *browser) pressNav(keys string) {
	b.t.Helper()
	b.navigating(fmt.Sprintf("press %q", keys), chromedp.KeyEvent(keys))
}

// tabTo presses Tab until the focused element satisfies want, at most max
// times, and returns it. It fails the test if focus never gets there, or
// if it lands on the honeypot (which must stay out of the tab order).
func (b *browser) tabTo(what string, max int, want func(focused) bool) focused {
	b.t.Helper()
	var path []string
	for range max {
		b.press(kb.Tab)
		f := b.activeElement()
		path = append(path, f.String())
		if f.TestID == "honeypot" {
			b.t.Fatalf("Tab reached the honeypot field; tab order so far:\n  %s", strings.Join(path, "\n  "))
		}
		if want(f) {
			return f
		}
	}
	b.t.Fatalf("%d presses of Tab never reached %s on %s; tab order:\n  %s", max, what, b.where(), strings.Join(path, "\n  "))
	return focused{}
}

// axeTags are the axe-core rule sets every page must pass.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"}

// axeResult is the part of axe.run's result the tests read.
type axeResult struct {
	Passes     int            `json:"passes"`
	Violations []axeViolation `json:"violations"`
}

type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

type axeNode struct {
	Target  []string `json:"target"`
	HTML    string   `json:"html"`
	Summary string   `json:"summary"`
}

// axeRun is evaluated in the page; it resolves to an axeResult.
const axeRun = `(async () => {
	const r = await axe.run(document, {runOnly: {type: "tag", values: %s}, resultTypes: ["violations"]});
	return {
		passes: r.passes.length,
		violations: r.violations.map(v => ({
			id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({target: n.target.map(String), html: n.html, summary: n.failureSummary || ""})),
		})),
	};
})()`

// axe runs axe-core on the current page and fails the test (without
// stopping it) with a readable list of violations, if there is any. The
// script is injected through the DevTools protocol, which the page's
// Content-Security-Policy does not restrict.
func (b *browser) axe(step string) {
	b.t.Helper()
	src, err := axeSource()
	if err != nil {
		b.t.Fatal(err)
	}
	if !eval[bool](b, `typeof window.axe === "object"`) {
		b.do("inject axe-core", chromedp.Evaluate[chromedp.Void](src))
	}
	tags, _ := json.Marshal(axeTags)
	res := run(b, "run axe-core", chromedp.Evaluate[axeResult](fmt.Sprintf(axeRun, tags), chromedp.EvalAwaitPromise))
	if res.Passes == 0 {
		b.t.Errorf("axe-core on %s (%s, %dpx wide) passed no rule at all: did it run?", step, b.path(), b.width)
	}
	if len(res.Violations) == 0 {
		return
	}
	if b.axeSeen == nil {
		b.axeSeen = map[string]bool{}
	}
	var sb strings.Builder
	var again []string
	fmt.Fprintf(&sb, "axe-core: %d violation(s) on %s (%s, %dpx wide):", len(res.Violations), step, b.path(), b.width)
	for _, v := range res.Violations {
		var nodes []axeNode
		for _, n := range v.Nodes {
			key := v.ID + " " + strings.Join(n.Target, " ")
			if b.axeSeen[key] {
				again = append(again, key)
				continue
			}
			b.axeSeen[key] = true
			nodes = append(nodes, n)
		}
		if len(nodes) == 0 {
			continue
		}
		fmt.Fprintf(&sb, "\n- %s [%s]: %s (%s)", v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range nodes {
			fmt.Fprintf(&sb, "\n    at %s\n      %s", strings.Join(n.Target, " "), oneLine(n.HTML, 200))
			if n.Summary != "" {
				fmt.Fprintf(&sb, "\n      %s", oneLine(n.Summary, 300))
			}
		}
	}
	if len(again) > 0 {
		fmt.Fprintf(&sb, "\n- again, as reported above: %s", strings.Join(again, "; "))
	}
	b.t.Error(sb.String())
}

var spaces = regexp.MustCompile(`\s+`)

func oneLine(s string, max int) string {
	s = spaces.ReplaceAllString(strings.TrimSpace(s), " ")
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// screenshotDir is $WEBSIGNUP_SCREENSHOTS, or testdata/screenshots in the
// package folder (ignored by git).
func screenshotDir() string {
	if d := os.Getenv("WEBSIGNUP_SCREENSHOTS"); d != "" {
		return d
	}
	return filepath.Join("testdata", "screenshots")
}

// shot saves a full-page PNG of the current page as
// <Test>-<NN>-<step>-<width>.png.
func (b *browser) shot(step string) {
	b.t.Helper()
	if b.quiet {
		return
	}
	png := run(b, "take a screenshot", fullPage())
	dir := screenshotDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	b.shots++
	name := fmt.Sprintf("%s-%02d-%s-%d.png", fileName(b.t.Name()), b.shots, step, b.width)
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func fileName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}

// fullPage captures the whole page, not only the viewport, as a PNG.
func fullPage() chromedp.Action[[]byte] {
	return func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		m, err := cdp.Call(ctx, t, page.GetLayoutMetrics, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		clip := &page.Viewport{Scale: 1}
		if m.CSSContentSize != nil {
			clip.Width, clip.Height = math.Ceil(m.CSSContentSize.Width), math.Ceil(m.CSSContentSize.Height)
		}
		beyond, fromSurface := true, true
		r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			Clip:                  clip,
			CaptureBeyondViewport: &beyond,
			FromSurface:           &fromSurface,
		})
		if err != nil {
			return nil, err
		}
		return r.Data, nil
	}
}

// resize sets the viewport, e.g. to a phone's width.
func (b *browser) resize(width, height int64) {
	b.t.Helper()
	b.do(fmt.Sprintf("resize to %dx%d", width, height), chromedp.EmulateViewport(width, height))
	b.width, b.height = width, height
}

// pageWatch runs in every page before its own scripts: it records the
// Content-Security-Policy violations and the uncaught script errors, which
// check reports.
const pageWatch = `(() => {
	window.e2eProblems = [];
	document.addEventListener("securitypolicyviolation", e =>
		window.e2eProblems.push("CSP blocked " + (e.blockedURI || "inline code") + " (" + e.violatedDirective + ") at " + e.sourceFile + ":" + e.lineNumber));
	window.addEventListener("error", e => {
		if (e.message) window.e2eProblems.push("script error: " + e.message + " at " + e.filename + ":" + e.lineno);
	});
	window.addEventListener("unhandledrejection", e => window.e2eProblems.push("unhandled rejection: " + e.reason));
})()`

// pageProblems fails the test (without stopping it) for the CSP
// violations and script errors pageWatch recorded on the current page.
func (b *browser) pageProblems(step string) {
	b.t.Helper()
	problems := eval[[]string](b, `window.e2eProblems || []`)
	if len(problems) > 0 {
		b.t.Errorf("%s (%s): %d problem(s) in the browser:\n  %s", step, b.path(), len(problems), strings.Join(problems, "\n  "))
	}
}

// check screenshots the current page, runs axe-core on it, and reports
// CSP violations and script errors.
func (b *browser) check(step string) {
	b.t.Helper()
	if b.quiet {
		return
	}
	b.shot(step)
	b.axe(step)
	b.pageProblems(step)
}

// checkPhone does check at a phone's width too, then goes back to the
// desktop size.
func (b *browser) checkPhone(step string) {
	b.t.Helper()
	if b.quiet {
		return
	}
	w, h := b.width, b.height
	b.check(step)
	b.resize(phoneWidth, phoneHeight)
	b.check(step)
	b.assertNoHorizontalScroll(step)
	b.resize(w, h)
}

// assertNoHorizontalScroll fails the test when the page is wider than the
// viewport (content cut off or a sideways scroll on a phone).
func (b *browser) assertNoHorizontalScroll(step string) {
	b.t.Helper()
	over := eval[int](b, `document.documentElement.scrollWidth - document.documentElement.clientWidth`)
	if over > 0 {
		b.t.Errorf("%s at %dpx wide scrolls sideways by %dpx", step, b.width, over)
	}
}
