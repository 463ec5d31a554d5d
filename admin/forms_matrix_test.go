package admin_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"

	"websignup/forms"
)

// The form builder's routes in the route × role × tenant matrix: every
// form route answers 404 for another tenant's form (except to an
// operator), and 403 to a viewer for every change.

func init() {
	for k, v := range formMatrix {
		if _, dup := matrix[k]; dup {
			panic("form matrix entry listed twice: " + k)
		}
		matrix[k] = v
	}
}

// target is the form a matrix call is about: tenant A's, or B's.
func target(e *env, foreign bool) forms.Form {
	if foreign {
		return e.formB
	}
	return e.formA
}

func formPath(suffix string) func(*env, bool) string {
	return func(e *env, foreign bool) string { return "/admin/forms/" + id(target(e, foreign).ID) + suffix }
}

// readable: signed-in users of the form's tenant and operators get w.
func readable(w want) roleWants {
	return roleWants{same(toLogin), [2]want{w, notFound}, [2]want{w, notFound}, same(w)}
}

// writable: viewers are refused, admins get w on their tenant's form.
func writable(w want) roleWants {
	return roleWants{same(toLogin), same(forbidden), [2]want{w, notFound}, same(w)}
}

// ensureDraft gives the form a draft (the demo's content) unless it has one.
func ensureDraft(e *env, f forms.Form) forms.Version {
	e.t.Helper()
	ctx := context.Background()
	d, _, err := e.store.DraftAndPublished(ctx, f.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if d != nil {
		return *d
	}
	v, err := e.store.SaveDraft(ctx, f.ID, forms.DemoConfig(), "matrix")
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

// archived gives the form an archived version and returns it.
func archived(e *env, f forms.Form) forms.Version {
	e.t.Helper()
	ctx := context.Background()
	for range 2 {
		ensureDraft(e, f)
		if _, err := e.store.Publish(ctx, f.ID, "matrix"); err != nil {
			e.t.Fatal(err)
		}
	}
	vs, err := e.store.Versions(ctx, f.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	i := slices.IndexFunc(vs, func(v forms.Version) bool { return v.Status == forms.StatusArchived })
	return vs[i]
}

// workingKeys are the keys of the form's working fields, reversed.
func reversedKeys(e *env, f forms.Form) string {
	v := ensureDraft(e, f)
	keys := ""
	for i := len(v.Config.Fields) - 1; i >= 0; i-- {
		if keys != "" {
			keys += ","
		}
		keys += v.Config.Fields[i].Key
	}
	return keys
}

var formMatrix = map[string]matrixCase{
	"GET /admin/forms":     {path: fixed("/admin/forms"), want: roleWants{same(toLogin), same(ok), same(ok), same(ok)}},
	"GET /admin/forms/new": {path: fixed("/admin/forms/new"), want: roleWants{same(toLogin), same(forbidden), same(ok), same(ok)}},
	"POST /admin/forms": {path: fixed("/admin/forms"),
		form: func(e *env, _ bool, n int) url.Values {
			return url.Values{"slug": {fmt.Sprintf("matrix-%d", n)}, "name": {"Matrix"}, "from": {"demo"}, "tenant": {id(e.tenantA.ID)}}
		},
		want: roleWants{same(toLogin), same(forbidden), same(redirect("/admin/forms/")), same(redirect("/admin/forms/"))}},

	"GET /admin/forms/:id":      {path: formPath(""), want: readable(redirect("/admin/forms/"))},
	"GET /admin/forms/:id/edit": {path: formPath("/edit"), want: readable(redirect("/admin/forms/"))},

	"GET /admin/forms/:id/edit/branding": {path: formPath("/edit/branding"), want: readable(ok)},
	"POST /admin/forms/:id/edit/branding": {path: formPath("/edit/branding"),
		form: func(*env, bool, int) url.Values {
			return url.Values{"company_title": {"Matrix Telecom"}, "primary_color": {"#0b5fff"}}
		},
		want: writable(redirect("/admin/forms/"))},

	"GET /admin/forms/:id/edit/fields":     {path: formPath("/edit/fields"), want: readable(ok)},
	"GET /admin/forms/:id/edit/fields/new": {path: formPath("/edit/fields/new"), want: writable(ok)},
	"GET /admin/forms/:id/edit/fields/:i":  {path: formPath("/edit/fields/0"), want: readable(ok)},
	"POST /admin/forms/:id/edit/fields": {path: formPath("/edit/fields"),
		form: func(_ *env, _ bool, n int) url.Values {
			return url.Values{"key_choice": {"custom"}, "key": {fmt.Sprintf("added_%d", n)}, "kind": {"text"}, "label": {"Added"}}
		},
		want: writable(redirect("/admin/forms/"))},
	"POST /admin/forms/:id/edit/fields/order": {path: formPath("/edit/fields/order"),
		form: func(e *env, foreign bool, _ int) url.Values {
			return url.Values{"order": {reversedKeys(e, target(e, foreign))}}
		},
		want: writable(redirect("/admin/forms/"))},
	"POST /admin/forms/:id/edit/fields/:i": {path: formPath("/edit/fields/0"),
		form: func(_ *env, _ bool, n int) url.Values {
			return url.Values{"key_choice": {"custom"}, "key": {fmt.Sprintf("first_%d", n)}, "kind": {"text"}, "label": {"First"}}
		},
		want: writable(redirect("/admin/forms/"))},
	"POST /admin/forms/:id/edit/fields/:i/move": {path: formPath("/edit/fields/0/move"),
		form: func(*env, bool, int) url.Values { return url.Values{"direction": {"down"}} },
		want: writable(redirect("/admin/forms/"))},
	"POST /admin/forms/:id/edit/fields/:i/delete": {path: formPath("/edit/fields/0/delete"), want: writable(redirect("/admin/forms/"))},
	"GET /admin/forms/:id/edit/pattern-test":      {path: formPath("/edit/pattern-test?pattern=%5B0-9%5D%2B&examples=12"), want: readable(ok)},

	"GET /admin/forms/:id/edit/plans": {path: formPath("/edit/plans"), want: readable(ok)},
	"POST /admin/forms/:id/edit/plans": {path: formPath("/edit/plans"),
		form: func(*env, bool, int) url.Values { return url.Values{"offer_1": {"1"}, "offer_2": {"1"}} },
		want: writable(redirect("/admin/forms/"))},
	"GET /admin/forms/:id/edit/pools": {path: formPath("/edit/pools"), want: readable(ok)},
	"POST /admin/forms/:id/edit/pools": {path: formPath("/edit/pools"),
		form: func(*env, bool, int) url.Values { return url.Values{"offer_1": {"1"}, "name_1": {"Seattle"}} },
		want: writable(redirect("/admin/forms/"))},
	"GET /admin/forms/:id/edit/devices": {path: formPath("/edit/devices"), want: readable(ok)},
	"POST /admin/forms/:id/edit/devices": {path: formPath("/edit/devices"),
		form: func(*env, bool, int) url.Values {
			return url.Values{"offer_1": {"1"}, "price_1": {"49.00"}, "allow_byod": {"1"}}
		},
		want: writable(redirect("/admin/forms/"))},
	"GET /admin/forms/:id/edit/settings": {path: formPath("/edit/settings"), want: readable(ok)},
	"POST /admin/forms/:id/edit/settings": {path: formPath("/edit/settings"),
		form: func(*env, bool, int) url.Values { return url.Values{"name": {"Renamed"}, "i_parent": {"7"}} },
		want: writable(redirect("/admin/forms/"))},

	"POST /admin/forms/:id/publish": {path: formPath("/publish"),
		form: func(e *env, foreign bool, _ int) url.Values {
			ensureDraft(e, target(e, foreign))
			return nil
		},
		want: writable(redirect("/admin/forms/"))},
	"GET /admin/forms/:id/versions": {path: formPath("/versions"), want: readable(ok)},
	"GET /admin/forms/:id/diff": {path: func(e *env, foreign bool) string {
		f := target(e, foreign)
		a, d := archived(e, f), ensureDraft(e, f)
		return fmt.Sprintf("/admin/forms/%d/diff?from=%d&to=%d", f.ID, a.ID, d.ID)
	}, want: readable(ok)},
	"POST /admin/forms/:id/versions/:vid/rollback": {path: func(e *env, foreign bool) string {
		f := target(e, foreign)
		return fmt.Sprintf("/admin/forms/%d/versions/%d/rollback", f.ID, archived(e, f).ID)
	}, want: writable(redirect("/admin/forms/"))},
	"GET /admin/forms/:id/export": {path: func(e *env, foreign bool) string {
		f := target(e, foreign)
		ensureDraft(e, f)
		return fmt.Sprintf("/admin/forms/%d/export?version=draft", f.ID)
	}, want: readable(ok)},
	"GET /admin/forms/:id/import":  {path: formPath("/import"), want: writable(ok)},
	"POST /admin/forms/:id/import": {path: formPath("/import"), want: writable(invalid)},

	"GET /admin/forms/:id/preview":               {path: formPath("/preview"), want: readable(redirect("/admin/forms/"))},
	"GET /admin/forms/:id/preview/":              {path: formPath("/preview/"), want: readable(ok)},
	"GET /admin/forms/:id/preview/:step":         {path: formPath("/preview/summary"), want: readable(ok)},
	"GET /admin/forms/:id/preview/phone/numbers": {path: formPath("/preview/phone/numbers"), want: readable(ok)},
	"POST /admin/forms/:id/preview/":             {path: formPath("/preview/"), want: readable(redirect("/admin/forms/"))},
	"POST /admin/forms/:id/preview/:step":        {path: formPath("/preview/payment"), want: readable(redirect("/admin/forms/"))},
}
