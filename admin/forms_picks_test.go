package admin_test

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"websignup/admin"
	"websignup/internal/web"
	"websignup/public"
	"websignup/storage/storagetest"
)

// TestPlansWhilePortaSwitchIsDown: the plans editor still works from what
// the form offers, says why the list is short, and saves with the fees the
// draft already had.
func TestPlansWhilePortaSwitchIsDown(t *testing.T) {
	s := storagetest.Open(t, storagetest.SQLiteDSN(t))
	e := newEnv(t, s, admin.Limits{})
	e.app = web.New(web.Options{})
	down := &fakeCatalog{products: func() ([]admin.CatalogProduct, error) {
		return nil, errors.New("dial tcp 10.0.0.1:443: connection refused")
	}}
	admin.Register(e.app, admin.Deps{Store: s, Enforcer: e.enforcer, Secret: secret, Now: e.clock.Now, Catalog: down})
	public.Register(e.app, public.Deps{Forms: s})
	ensureDraft(e, e.formA)
	c := e.signedIn(e.adminA)
	before := draftOf(t, e, e.formA).Products
	if len(before) == 0 {
		t.Fatal("form A's draft offers no products")
	}

	page := c.get(fpath(e.formA, "/edit/plans"))
	wantStatus(t, page, 200)
	if got := text(t, page, `[data-testid="notice"]`); !strings.Contains(got, "PortaSwitch could not be reached") {
		t.Fatalf("notice = %q", got)
	}
	if strings.Contains(page.body, "connection refused") {
		t.Fatal("the error text reached the page")
	}
	if n := page.doc(t).Find(`[data-testid="plan-row"]`).Length(); n != len(before) {
		t.Fatalf("%d plan rows, want the %d the form offers", n, len(before))
	}

	// Renaming the first offered product saves with its fees unchanged.
	id := strconv.FormatInt(before[0].IProduct, 10)
	form := url.Values{"name_" + id: {"Renamed plan"}}
	for _, p := range before {
		form.Set("offer_"+strconv.FormatInt(p.IProduct, 10), "1")
	}
	wantStatus(t, c.post(fpath(e.formA, "/edit/plans"), form), 303)
	after := draftOf(t, e, e.formA).Products
	if len(after) != len(before) || after[0].Name != "Renamed plan" ||
		after[0].RecurringFee != before[0].RecurringFee || after[0].ActivationFee != before[0].ActivationFee || after[0].Currency != before[0].Currency {
		t.Fatalf("products after save = %+v, before %+v", after, before)
	}
}
