package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"websignup/admin"
	"websignup/forms"
	"websignup/internal/web"
	"websignup/public"
	"websignup/storage"
	"websignup/storage/storagetest"
)

// fakeCatalog is a Catalog with function fields; nil fields return the
// fixed catalog below.
type fakeCatalog struct {
	products func() ([]admin.CatalogProduct, error)
}

var _ admin.Catalog = (*fakeCatalog)(nil)

func (f *fakeCatalog) Products(context.Context) ([]admin.CatalogProduct, error) {
	if f.products != nil {
		return f.products()
	}
	return []admin.CatalogProduct{
		{IProduct: 1, Name: "Home Basic", Currency: "USD", ActivationFee: 995, RecurringFee: 1495, Period: "month"},
		{IProduct: 2, Name: "Home Unlimited", Currency: "USD", ActivationFee: 995, RecurringFee: 2495, Period: "month"},
		{IProduct: 7, Name: "Gold <b>Plan</b>", Currency: "USD", ActivationFee: 0, RecurringFee: 5000, Period: "month"},
		{IProduct: 8, Name: "Feeless", Currency: "USD", NoFees: true},
	}, nil
}

func (f *fakeCatalog) Pools(context.Context) ([]admin.CatalogPool, error) {
	return []admin.CatalogPool{{IDVBatch: 1, Name: "Seattle"}, {IDVBatch: 2, Name: "Chicago"}, {IDVBatch: 9, Name: "Denver"}}, nil
}

func (f *fakeCatalog) FreeNumbers(_ context.Context, p forms.Pool, max int) (int, error) {
	return min(int(p.IDVBatch)*100+7, max), nil
}

func (f *fakeCatalog) SampleNumbers(context.Context, forms.Pool, int) ([]string, error) {
	return []string{"12065550111", "12065550122"}, nil
}

func (f *fakeCatalog) DeviceTypes(context.Context) ([]admin.CatalogDevice, error) {
	return []admin.CatalogDevice{{IUAType: 1, Name: "T31P", Manufacturer: "Yealink", Model: "T31P"}, {IUAType: 4, Name: "Snom D785", Manufacturer: "Snom", Model: "D785"}}, nil
}

// builderEnv is the admin test env with a catalog, the public wizard and
// the media route on the same app, and form A holding the demo as draft.
func builderEnv(t *testing.T, s *storage.Store) *env {
	e := newEnv(t, s, admin.Limits{})
	e.app = web.New(web.Options{})
	admin.Register(e.app, admin.Deps{Store: s, Enforcer: e.enforcer, Secret: secret, Now: e.clock.Now, Catalog: &fakeCatalog{}})
	public.Register(e.app, public.Deps{Forms: s})
	public.RegisterMedia(e.app, s)
	ensureDraft(e, e.formA)
	return e
}

func draftOf(t *testing.T, e *env, f forms.Form) forms.Config {
	t.Helper()
	d, p, err := e.store.DraftAndPublished(context.Background(), f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d != nil {
		return d.Config
	}
	return p.Config
}

func (c *client) multipart(path string, fields map[string]string, files map[string][]byte) response {
	c.e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", c.csrfToken())
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	for k, data := range files {
		fw, _ := w.CreateFormFile(k, k+".bin")
		_, _ = fw.Write(data)
	}
	_ = w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := c.e.app.Test(req, -1)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b), header: resp.Header}
}

func fpath(f forms.Form, rest string) string { return fmt.Sprintf("/admin/forms/%d%s", f.ID, rest) }

func wantStatus(t *testing.T, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; errors: %s", r.status, status, errorsOf(r))
	}
}

// inputValue is what an input shows after a refused save.
func inputValue(t *testing.T, r response, name string) string {
	t.Helper()
	v, _ := r.doc(t).Find(`[name="` + name + `"]`).Attr("value")
	return v
}

func TestCreateFormCopiesAndIgnoresExtraFields(t *testing.T) {
	e := builderEnv(t, storagetest.Open(t, storagetest.SQLiteDSN(t)))
	c := e.signedIn(e.adminA)
	r := c.post("/admin/forms", url.Values{"slug": {"Bad Slug"}, "name": {"Res"}, "from": {"demo"}})
	wantStatus(t, r, 422)
	if text(t, r, `[data-testid="error-slug"]`) == "" || inputValue(t, r, "slug") != "Bad Slug" {
		t.Fatalf("slug error or input missing: %s", r.body)
	}
	// Copy form A; tenant_id, id and status are not read.
	r = c.post("/admin/forms", url.Values{"slug": {"res"}, "name": {"Residential"}, "from": {id(e.formA.ID)},
		"tenant_id": {id(e.tenantB.ID)}, "tenant": {id(e.tenantB.ID)}, "id": {"1"}, "status": {"published"}})
	wantStatus(t, r, 303)
	f, err := e.store.FormBySlug(context.Background(), "res")
	if err != nil || f.TenantID != e.tenantA.ID {
		t.Fatalf("form = %+v, %v; want tenant A", f, err)
	}
	d, p, _ := e.store.DraftAndPublished(context.Background(), f.ID)
	if d == nil || p != nil || d.Config.Branding.CompanyTitle != draftOf(t, e, e.formA).Branding.CompanyTitle {
		t.Fatalf("copy: draft %v published %v", d, p)
	}
	// Copying another tenant's form is refused like an unknown one.
	r = c.post("/admin/forms", url.Values{"slug": {"steal"}, "name": {"Steal"}, "from": {id(e.formB.ID)}})
	wantStatus(t, r, 422)
	if text(t, r, `[data-testid="error-from"]`) == "" {
		t.Fatal("no error next to from")
	}
	list := c.get("/admin/forms")
	if !strings.Contains(list.body, "Residential") || strings.Contains(list.body, "Beta signup") {
		t.Fatal("the list shows the wrong forms")
	}
}

func TestBrandingSaveErrorsLogoAndContrast(t *testing.T) {
	e := builderEnv(t, storagetest.Open(t, storagetest.SQLiteDSN(t)))
	c := e.signedIn(e.adminA)
	base := map[string]string{"company_title": "Acme", "primary_color": "#0b5fff", "support_email": "help@acme.example"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range base {
			m[a] = b
		}
		m[k] = v
		return m
	}
	cases := []struct{ input, value string }{
		{"company_title", ""},
		{"primary_color", "blue"},
		{"accent_color", "#12"},
		{"terms_url", "javascript:alert(1)"},
		{"support_email", "not-an-address"},
	}
	for _, tc := range cases {
		r := c.multipart(fpath(e.formA, "/edit/branding"), with(tc.input, tc.value), nil)
		wantStatus(t, r, 422)
		if text(t, r, `[data-testid="error-`+tc.input+`"]`) == "" {
			t.Errorf("%s=%q: no error next to the input", tc.input, tc.value)
		}
		if got := r.doc(t).Find(`[name="company_title"]`).AttrOr("value", ""); got != with(tc.input, tc.value)["company_title"] {
			t.Errorf("%s: company title not kept: %q", tc.input, got)
		}
		if draftOf(t, e, e.formA).Branding.CompanyTitle == "Acme" {
			t.Fatalf("%s: a refused save changed the draft", tc.input)
		}
	}
	// SVG and oversized logos are refused.
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
	r := c.multipart(fpath(e.formA, "/edit/branding"), base, map[string][]byte{"logo": svg})
	wantStatus(t, r, 422)
	if !strings.Contains(text(t, r, `[data-testid="error-logo"]`), "PNG, JPEG or WebP") {
		t.Fatal("SVG logo not refused")
	}
	big := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, storage.MaxMediaSize)...)
	r = c.multipart(fpath(e.formA, "/edit/branding"), base, map[string][]byte{"logo": big})
	wantStatus(t, r, 422)
	// A PNG is stored and served.
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	r = c.multipart(fpath(e.formA, "/edit/branding"), with("background_color", "#ffffff"), map[string][]byte{"logo": png})
	wantStatus(t, r, 303)
	b := draftOf(t, e, e.formA).Branding
	if b.CompanyTitle != "Acme" || !strings.HasPrefix(b.LogoURL, "/media/") {
		t.Fatalf("branding = %+v", b)
	}
	m := c.get(b.LogoURL)
	if m.status != 200 || m.header.Get("Content-Type") != "image/png" || m.body != string(png) {
		t.Fatalf("media: %d %q", m.status, m.header.Get("Content-Type"))
	}
	// Contrast: light grey text on white warns; the default look does not.
	r = c.multipart(fpath(e.formA, "/edit/branding"), with("text_color", "#dddddd"), nil)
	wantStatus(t, r, 303)
	page := c.get(fpath(e.formA, "/edit/branding"))
	if !strings.Contains(text(t, page, `[data-testid="contrast-warning"]`), "#dddddd") {
		t.Fatal("no contrast warning for #dddddd on white")
	}
	if got := forms.ContrastRatio("#000000", "#ffffff"); got < 20.9 || got > 21.1 {
		t.Fatalf("black on white = %.2f", got)
	}
}

func TestFieldEditorValidationReorderAndPatternTest(t *testing.T) {
	e := builderEnv(t, storagetest.Open(t, storagetest.SQLiteDSN(t)))
	c := e.signedIn(e.adminA)
	add := fpath(e.formA, "/edit/fields")
	good := url.Values{"key_choice": {"custom"}, "key": {"customer_ref"}, "kind": {"text"}, "label": {"Customer reference"}, "required": {"1"}, "pattern": {"[A-Z]{2}[0-9]{4}"}}
	set := func(k, v string) url.Values {
		u := url.Values{}
		for a, b := range good {
			u[a] = b
		}
		u.Set(k, v)
		return u
	}
	cases := []struct {
		name     string
		form     url.Values
		errInput string
	}{
		{"bad pattern", set("pattern", "([a-z"), "pattern"},
		{"bad key", set("key", "Bad Key"), "key"},
		{"duplicate key", set("key_choice", "firstname"), "key_choice"},
		{"reserved key", set("key", "card_number"), "key"},
		{"no label", set("label", ""), "label"},
		{"min over max", func() url.Values { u := set("min_length", "9"); u.Set("max_length", "3"); return u }(), "min_length"},
		{"length not a number", set("max_length", "ten"), "max_length"},
		{"select without options", func() url.Values { u := set("kind", "select"); u.Set("pattern", ""); return u }(), "options"},
		{"condition on unknown field", set("show_when_field", "nosuch"), "show_when_field"},
		{"no key chosen", set("key_choice", ""), "key_choice"},
	}
	before := len(draftOf(t, e, e.formA).Fields)
	for _, tc := range cases {
		r := c.post(add, tc.form)
		if r.status != 422 {
			t.Errorf("%s: status %d, want 422", tc.name, r.status)
			continue
		}
		if text(t, r, `[data-testid="error-`+tc.errInput+`"]`) == "" {
			t.Errorf("%s: no error next to %s", tc.name, tc.errInput)
		}
		if got := r.doc(t).Find(`[name="label"]`).AttrOr("value", ""); got != tc.form.Get("label") {
			t.Errorf("%s: label not kept (%q)", tc.name, got)
		}
	}
	if n := len(draftOf(t, e, e.formA).Fields); n != before {
		t.Fatalf("refused saves changed the fields: %d, want %d", n, before)
	}
	// A good field is added at the end, with its XSS-y label kept as text.
	g := set("label", `<script>alert("x")</script>`)
	g.Set("tenant_id", id(e.tenantB.ID))
	wantStatus(t, c.post(add, g), 303)
	fields := draftOf(t, e, e.formA).Fields
	last := fields[len(fields)-1]
	if last.Key != "customer_ref" || !last.Required || last.Pattern != "[A-Z]{2}[0-9]{4}" {
		t.Fatalf("added field = %+v", last)
	}
	list := c.get(add)
	if strings.Contains(list.body, `<script>alert("x")`) || !strings.Contains(text(t, list, `[data-testid="field-list"]`), `<script>alert("x")</script>`) {
		t.Fatal("the label is not escaped on the fields page")
	}
	// Move the new field up, then reorder by drag and drop.
	n := len(fields)
	wantStatus(t, c.post(fpath(e.formA, fmt.Sprintf("/edit/fields/%d/move", n-1)), url.Values{"direction": {"up"}}), 303)
	if draftOf(t, e, e.formA).Fields[n-2].Key != "customer_ref" {
		t.Fatal("move up did not move the field")
	}
	keys := make([]string, 0, n)
	for _, f := range draftOf(t, e, e.formA).Fields {
		keys = append([]string{f.Key}, keys...)
	}
	wantStatus(t, c.post(fpath(e.formA, "/edit/fields/order"), url.Values{"order": {strings.Join(keys, ",")}}), 303)
	if draftOf(t, e, e.formA).Fields[0].Key != keys[0] {
		t.Fatal("order not applied")
	}
	wantStatus(t, c.post(fpath(e.formA, "/edit/fields/order"), url.Values{"order": {"firstname"}}), 409)
	// A condition on an earlier field; removing that field is refused.
	cond := url.Values{"key_choice": {"custom"}, "key": {"vat"}, "kind": {"text"}, "label": {"VAT"}, "show_when_field": {keys[0]}, "show_when_equals": {"US"}}
	wantStatus(t, c.post(add, cond), 303)
	r := c.post(fpath(e.formA, "/edit/fields/0/delete"), nil)
	wantStatus(t, r, 422)
	if !strings.Contains(r.body, "Not saved") {
		t.Fatal("no reason for the refused removal")
	}
	// The live pattern test.
	pt := c.get(fpath(e.formA, "/edit/pattern-test?pattern="+url.QueryEscape("[0-9]{5}")+"&examples="+url.QueryEscape("12345\n12a45")))
	verdicts := pt.doc(t).Find(`[data-testid="pattern-verdict"]`)
	if verdicts.Length() != 2 || verdicts.Eq(0).Text() != "matches" || verdicts.Eq(1).Text() != "doesn't match" {
		t.Fatalf("pattern test: %s", pt.body)
	}
	pt = c.get(fpath(e.formA, "/edit/pattern-test?pattern="+url.QueryEscape("([")+"&examples=1"))
	if text(t, pt, `[data-testid="pattern-error"]`) == "" {
		t.Fatal("a broken pattern is not reported")
	}
}

func TestPlansPoolsDevicesFromCatalog(t *testing.T) {
	e := builderEnv(t, storagetest.Open(t, storagetest.SQLiteDSN(t)))
	c := e.signedIn(e.adminA)
	page := c.get(fpath(e.formA, "/edit/plans"))
	if !strings.Contains(page.body, "$50.00 / month") || strings.Contains(page.body, "Gold <b>") {
		t.Fatal("plans page: fees missing or name unescaped")
	}
	// Offer products 2 and 7: fees come from the catalog, names as typed.
	r := c.post(fpath(e.formA, "/edit/plans"), url.Values{"offer_2": {"1"}, "offer_7": {"1"}, "name_7": {"Gold"}, "description_7": {"<i>best</i>"}})
	wantStatus(t, r, 303)
	ps := draftOf(t, e, e.formA).Products
	if len(ps) != 2 || ps[1].IProduct != 7 || ps[1].RecurringFee != 5000 || ps[1].Name != "Gold" || ps[0].RecurringFee != 2495 {
		t.Fatalf("products = %+v", ps)
	}
	// A product without fees, or none at all, is refused with the message in place.
	r = c.post(fpath(e.formA, "/edit/plans"), url.Values{"offer_8": {"1"}})
	wantStatus(t, r, 422)
	r = c.post(fpath(e.formA, "/edit/plans"), url.Values{})
	wantStatus(t, r, 422)
	if text(t, r, `[data-testid="error-products"]`) == "" {
		t.Fatal("no error for no products")
	}
	// Pools: the free count is shown; a bad prefix is refused next to it.
	page = c.get(fpath(e.formA, "/edit/pools"))
	if !strings.Contains(page.body, "107 free numbers") || !strings.Contains(page.body, "200+ free numbers") {
		t.Fatalf("free counts missing")
	}
	r = c.post(fpath(e.formA, "/edit/pools"), url.Values{"offer_9": {"1"}, "name_9": {"Denver"}, "prefix_9": {"17x"}})
	wantStatus(t, r, 422)
	if text(t, r, `[data-testid="error-prefix_9"]`) == "" || inputValue(t, r, "prefix_9") != "17x" {
		t.Fatal("prefix error not next to the input, or input lost")
	}
	wantStatus(t, c.post(fpath(e.formA, "/edit/pools"), url.Values{"offer_9": {"1"}, "name_9": {"Denver"}, "prefix_9": {"1720"}}), 303)
	if pl := draftOf(t, e, e.formA).Pools; len(pl) != 1 || pl[0].IDVBatch != 9 || pl[0].Prefix != "1720" {
		t.Fatalf("pools = %+v", pl)
	}
	// Devices: a bad price, then a good one; BYOD off and no device is refused.
	r = c.post(fpath(e.formA, "/edit/devices"), url.Values{"offer_4": {"1"}, "price_4": {"12.345"}})
	wantStatus(t, r, 422)
	if text(t, r, `[data-testid="error-price_4"]`) == "" {
		t.Fatal("no price error")
	}
	wantStatus(t, c.post(fpath(e.formA, "/edit/devices"), url.Values{}), 422)
	wantStatus(t, c.post(fpath(e.formA, "/edit/devices"), url.Values{"offer_4": {"1"}, "price_4": {"89.50"}, "name_4": {"Snom"}, "description_4": {"Colour screen"}}), 303)
	cfg := draftOf(t, e, e.formA)
	if len(cfg.Devices) != 1 || cfg.Devices[0].Price != 8950 || cfg.AllowBYOD {
		t.Fatalf("devices = %+v byod %v", cfg.Devices, cfg.AllowBYOD)
	}
	// Settings: reseller and name; a bad reseller keeps the input.
	r = c.post(fpath(e.formA, "/edit/settings"), url.Values{"name": {"Renamed"}, "i_parent": {"-3"}})
	wantStatus(t, r, 422)
	if inputValue(t, r, "i_parent") != "-3" {
		t.Fatal("i_parent lost")
	}
	wantStatus(t, c.post(fpath(e.formA, "/edit/settings"), url.Values{"name": {"Renamed"}, "i_parent": {"42"}}), 303)
	if draftOf(t, e, e.formA).IParent != 42 {
		t.Fatal("i_parent not saved")
	}
}

func TestPublishVersionsDiffRollbackAndPublicSite(t *testing.T) {
	storagetest.ForEachDB(t, testPublishVersionsDiffRollback)
}

func testPublishVersionsDiffRollback(t *testing.T, s *storage.Store) {
	e := builderEnv(t, s)
	c := e.signedIn(e.adminA)
	xss := `<img src=x onerror=alert(1)>Acme`
	wantStatus(t, c.multipart(fpath(e.formA, "/edit/branding"), map[string]string{"company_title": xss, "primary_color": "#0b5fff"}, nil), 303)
	wantStatus(t, c.post(fpath(e.formA, "/publish"), nil), 303)
	pub := e.client().get("/s/alpha/")
	if pub.status != 200 || text(t, pub, `[data-testid="company-title"]`) != xss || strings.Contains(pub.body, "<img src=x") {
		t.Fatalf("public site after publish: %d %q", pub.status, text(t, pub, `[data-testid="company-title"]`))
	}
	// A second version, published; then the diff and a rollback to v1.
	wantStatus(t, c.multipart(fpath(e.formA, "/edit/branding"), map[string]string{"company_title": "Acme Two", "primary_color": "#0b5fff"}, nil), 303)
	wantStatus(t, c.post(fpath(e.formA, "/edit/fields/0/delete"), nil), 303)
	wantStatus(t, c.post(fpath(e.formA, "/publish"), nil), 303)
	if got := text(t, e.client().get("/s/alpha/"), `[data-testid="company-title"]`); got != "Acme Two" {
		t.Fatalf("public title = %q", got)
	}
	vs, _ := e.store.Versions(context.Background(), e.formA.ID)
	page := c.get(fpath(e.formA, "/versions"))
	rows := page.doc(t).Find(`[data-testid="version-row"]`)
	if rows.Length() != 2 || !strings.Contains(rows.Eq(0).Text(), e.adminA.Email) {
		t.Fatalf("versions page: %d rows", rows.Length())
	}
	d := c.get(fpath(e.formA, fmt.Sprintf("/diff?from=%d&to=%d", vs[1].ID, vs[0].ID)))
	changes := d.doc(t).Find(`[data-testid="change"]`).Text()
	if !strings.Contains(changes, `changed the company title from`) || !strings.Contains(changes, `"Acme Two"`) || !strings.Contains(changes, "removed the field") {
		t.Fatalf("diff: %s", changes)
	}
	if strings.Contains(d.body, "<img src=x") {
		t.Fatal("diff not escaped")
	}
	wantStatus(t, c.post(fpath(e.formA, fmt.Sprintf("/versions/%d/rollback", vs[1].ID)), nil), 303)
	if got := text(t, e.client().get("/s/alpha/"), `[data-testid="company-title"]`); got != xss {
		t.Fatalf("after rollback the public title = %q", got)
	}
	vs, _ = e.store.Versions(context.Background(), e.formA.ID)
	if len(vs) != 3 || vs[0].Number != 3 || vs[0].Status != forms.StatusPublished {
		t.Fatalf("versions after rollback: %+v", vs[0])
	}
	// The viewer sees no edit or publish buttons.
	v := e.signedIn(e.viewerA).get(fpath(e.formA, "/edit/branding"))
	if v.doc(t).Find(`[data-testid="save"], [data-testid="publish"]`).Length() != 0 || text(t, v, `[data-testid="read-only"]`) == "" {
		t.Fatal("the viewer sees change buttons")
	}
	// The audit log has the changes.
	entries, _, err := e.store.AuditLog(context.Background(), storage.TenantOnly(e.tenantA.ID), storage.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]bool{}
	for _, en := range entries {
		actions[en.Action] = true
	}
	for _, a := range []string{"form.draft.branding", "form.publish", "form.rollback", "form.draft.fields"} {
		if !actions[a] {
			t.Errorf("no audit entry %s", a)
		}
	}
}

func TestImportExportAndPreview(t *testing.T) {
	e := builderEnv(t, storagetest.Open(t, storagetest.SQLiteDSN(t)))
	c := e.signedIn(e.adminA)
	ex := c.get(fpath(e.formA, "/export?version=draft"))
	wantStatus(t, ex, 200)
	if !strings.HasPrefix(ex.header.Get("Content-Disposition"), `attachment; filename="alpha-v1.json"`) {
		t.Fatalf("disposition %q", ex.header.Get("Content-Disposition"))
	}
	cfg, err := forms.DecodeConfig([]byte(ex.body))
	if err != nil {
		t.Fatal(err)
	}
	// A broken document changes nothing and lists its problems.
	bad, _ := forms.DecodeConfig([]byte(ex.body)) // a copy: cfg's slices stay untouched
	bad.Products = nil
	bad.Fields[0].Pattern = "(["
	b, _ := json.Marshal(bad)
	r := c.multipart(fpath(e.formA, "/import"), map[string]string{"publish": "1"}, map[string][]byte{"file": b})
	wantStatus(t, r, 422)
	probs := r.doc(t).Find(`[data-testid="import-problem"]`).Text()
	if !strings.Contains(probs, "products") || !strings.Contains(probs, "fields[0].pattern") {
		t.Fatalf("problems: %s", probs)
	}
	if _, p, _ := e.store.DraftAndPublished(context.Background(), e.formA.ID); p != nil {
		t.Fatal("a refused import published something")
	}
	wantStatus(t, c.multipart(fpath(e.formA, "/import"), nil, map[string][]byte{"file": []byte(`{"branding": 1}`)}), 422)
	// A good document, published at once.
	cfg.Branding.CompanyTitle = "Imported"
	b, _ = json.Marshal(cfg)
	wantStatus(t, c.multipart(fpath(e.formA, "/import"), map[string]string{"publish": "1"}, map[string][]byte{"file": b}), 303)
	if got := text(t, e.client().get("/s/alpha/"), `[data-testid="company-title"]`); got != "Imported" {
		t.Fatalf("public title = %q", got)
	}
	// Preview: every step renders the draft, under the banner, with links
	// kept inside the preview and no wizard session.
	wantStatus(t, c.multipart(fpath(e.formA, "/edit/branding"), map[string]string{"company_title": "Draft title", "primary_color": "#0b5fff"}, nil), 303)
	for _, step := range []string{"", "address", "phone", "payment", "summary", "done"} {
		p := c.get(fpath(e.formA, "/preview/"+step))
		wantStatus(t, p, 200)
		if !strings.Contains(text(t, p, `[data-testid="preview-banner"]`), "nothing is saved or provisioned") {
			t.Fatalf("%s: no banner", step)
		}
		if text(t, p, `[data-testid="company-title"]`) != "Draft title" {
			t.Fatalf("%s: preview does not show the draft", step)
		}
		if strings.Contains(p.body, `="/s/alpha/`) {
			t.Fatalf("%s: a link leaves the preview", step)
		}
		for _, ck := range p.cookies {
			if strings.HasPrefix(ck.Name, "ws_") && ck.Name != "ws_admin_csrf" && ck.Name != "ws_admin" {
				t.Fatalf("%s: preview set cookie %s", step, ck.Name)
			}
		}
	}
	next := c.post(fpath(e.formA, "/preview/summary"), url.Values{"card_number": {"4242424242424242"}})
	if next.status != 303 || next.location != fpath(e.formA, "/preview/done") {
		t.Fatalf("preview next: %d %s", next.status, next.location)
	}
	if got := text(t, e.client().get("/s/alpha/"), `[data-testid="company-title"]`); got != "Imported" {
		t.Fatal("the preview's draft leaked to the public site")
	}
}

func errorsOf(r response) string {
	d, err := goqueryDoc(r.body)
	if err != nil {
		return r.body
	}
	return strings.Join(strings.Fields(d.Find(".field__error, .error-summary, [data-testid=import-problem], .notice").Text()), " ")
}

func goqueryDoc(s string) (*goquery.Document, error) {
	return goquery.NewDocumentFromReader(strings.NewReader(s))
}

// TestAdminTextIsEscapedEverywhere puts a script payload into every text
// an admin types, publishes it, and checks that no page, admin or public,
// carries it as markup.
func TestAdminTextIsEscapedEverywhere(t *testing.T) {
	e := builderEnv(t, storagetest.Open(t, storagetest.SQLiteDSN(t)))
	c := e.signedIn(e.adminA)
	const x = `"><script>alert(1)</script>`
	cfg := forms.DemoConfig()
	cfg.Branding.CompanyTitle = "Co" + x
	cfg.Branding.SubscriptionText = "Sub" + x
	cfg.Branding.SupportPhone = "+1" + x[:20]
	cfg.Fields[0].Label, cfg.Fields[0].Help, cfg.Fields[0].Placeholder = "L"+x, "H"+x, "P"+x
	cfg.Fields = append(cfg.Fields, forms.Field{Key: "plan_kind", Kind: forms.KindSelect, Label: "Kind" + x,
		Options: []forms.Option{{Value: "a", Label: "Opt" + x}}})
	cfg.Products[0].Name, cfg.Products[0].Description = "Plan"+x, "Desc"+x
	cfg.Devices[0].Name, cfg.Devices[0].Description = "Dev"+x, "DevDesc"+x
	cfg.Pools[0].Name = "Pool" + x
	b, _ := json.Marshal(cfg)
	wantStatus(t, c.multipart(fpath(e.formA, "/import"), map[string]string{"publish": "1"}, map[string][]byte{"file": b}), 303)
	vs, _ := e.store.Versions(context.Background(), e.formA.ID)
	pages := []string{"/s/alpha/"}
	for _, p := range []string{"/edit/branding", "/edit/fields", "/edit/fields/0", "/edit/fields/10", "/edit/plans", "/edit/pools",
		"/edit/devices", "/versions", "/preview/", "/preview/address", "/preview/phone", "/preview/payment", "/preview/summary", "/preview/done"} {
		pages = append(pages, fpath(e.formA, p))
	}
	if len(vs) > 1 {
		pages = append(pages, fpath(e.formA, fmt.Sprintf("/diff?from=%d&to=%d", vs[1].ID, vs[0].ID)))
	}
	pages = append(pages, "/admin/forms", "/admin/")
	for _, p := range pages {
		var r response
		if strings.HasPrefix(p, "/s/") {
			r = e.client().get(p)
		} else {
			r = c.get(p)
		}
		if r.status != 200 {
			t.Errorf("%s: status %d", p, r.status)
			continue
		}
		if strings.Contains(r.body, "<script>alert(1)") {
			t.Errorf("%s: the payload is rendered as markup", p)
		}
	}
	// And the text is there, escaped, where it belongs.
	if !strings.Contains(text(t, e.client().get("/s/alpha/"), `[data-testid="plan-name"]`), "Plan"+x) {
		t.Fatal("the plan name is not shown as text")
	}
}
