package admin

import "github.com/gofiber/fiber/v2"

// route is one admin page or action and the permission it needs.
type route struct {
	Method string
	Path   string
	// Public routes need no sign-in (the login page); every other route
	// needs a signed-in user, and the permission Obj/Act when Obj is set.
	Public   bool
	Obj, Act string
	Handler  fiber.Handler
}

// routes is the admin area's route table. Add new pages here, each with
// the permission it needs; TestRouteMatrix fails for a route it does not
// know, so add the route's expected answers there too.
func (h *handlers) routes() []route {
	get, post := fiber.MethodGet, fiber.MethodPost
	return append([]route{
		{Method: get, Path: "/admin", Public: true, Handler: h.adminRoot},
		{Method: get, Path: "/admin/login", Public: true, Handler: h.loginPage},
		{Method: post, Path: "/admin/login", Public: true, Handler: h.login},
		{Method: post, Path: "/admin/logout", Public: true, Handler: h.logout},

		{Method: get, Path: "/admin/", Obj: ObjForms, Act: ActRead, Handler: h.dashboard},

		{Method: get, Path: "/admin/users", Obj: ObjUsers, Act: ActRead, Handler: h.users},
		{Method: get, Path: "/admin/users/new", Obj: ObjUsers, Act: ActWrite, Handler: h.newUser},
		{Method: post, Path: "/admin/users", Obj: ObjUsers, Act: ActWrite, Handler: h.createUser},
		{Method: get, Path: "/admin/users/:id", Obj: ObjUsers, Act: ActRead, Handler: h.user},
		{Method: post, Path: "/admin/users/:id", Obj: ObjUsers, Act: ActWrite, Handler: h.updateUser},

		{Method: get, Path: "/admin/tenants", Obj: ObjTenants, Act: ActRead, Handler: h.tenants},
		{Method: get, Path: "/admin/tenants/new", Obj: ObjTenants, Act: ActWrite, Handler: h.newTenant},
		{Method: post, Path: "/admin/tenants", Obj: ObjTenants, Act: ActWrite, Handler: h.createTenant},
		{Method: get, Path: "/admin/tenants/:id", Obj: ObjTenants, Act: ActRead, Handler: h.tenant},
		{Method: post, Path: "/admin/tenants/:id", Obj: ObjTenants, Act: ActWrite, Handler: h.updateTenant},

		{Method: get, Path: "/admin/audit", Obj: ObjAudit, Act: ActRead, Handler: h.auditLog},
	}, append(h.formRoutes(), h.submissionRoutes()...)...)
}

// submissionRoutes are the submissions pages, the review actions and the
// funnel (submissions*.go, funnel.go). The export's literal ".csv" path
// is its own route, not a parameter.
func (h *handlers) submissionRoutes() []route {
	get, post := fiber.MethodGet, fiber.MethodPost
	r, w := ActRead, ActWrite
	s, f := "/admin/submissions/:id", "/admin/forms/:id"
	return []route{
		{Method: get, Path: "/admin/submissions", Obj: ObjSubmissions, Act: r, Handler: h.submissionsHub},
		{Method: get, Path: s, Obj: ObjSubmissions, Act: r, Handler: h.submission},
		{Method: post, Path: s + "/retry", Obj: ObjSubmissions, Act: w, Handler: h.retrySubmission},
		{Method: post, Path: s + "/confirm-charge", Obj: ObjSubmissions, Act: w, Handler: h.confirmCharge},
		{Method: post, Path: s + "/resolve", Obj: ObjSubmissions, Act: w, Handler: h.resolveSubmission},
		{Method: get, Path: f + "/submissions", Obj: ObjSubmissions, Act: r, Handler: h.formSubmissions},
		{Method: get, Path: f + "/submissions.csv", Obj: ObjSubmissions, Act: r, Handler: h.submissionsCSV},
		{Method: get, Path: f + "/funnel", Obj: ObjSubmissions, Act: r, Handler: h.funnel},
	}
}

// formRoutes are the form builder's pages (forms*.go, versions*.go,
// preview*.go, importexport*.go). Literal segments come before the
// parameters they would otherwise match (new, order).
func (h *handlers) formRoutes() []route {
	get, post := fiber.MethodGet, fiber.MethodPost
	r, w := ActRead, ActWrite
	f := "/admin/forms/:id"
	return []route{
		{Method: get, Path: "/admin/forms", Obj: ObjForms, Act: r, Handler: h.formsList},
		{Method: get, Path: "/admin/forms/new", Obj: ObjForms, Act: w, Handler: h.newForm},
		{Method: post, Path: "/admin/forms", Obj: ObjForms, Act: w, Handler: h.createForm},
		{Method: get, Path: f, Obj: ObjForms, Act: r, Handler: h.formHome},
		{Method: get, Path: f + "/edit", Obj: ObjForms, Act: r, Handler: h.formHome},
		{Method: get, Path: f + "/edit/branding", Obj: ObjForms, Act: r, Handler: h.branding},
		{Method: post, Path: f + "/edit/branding", Obj: ObjForms, Act: w, Handler: h.saveBranding},
		{Method: get, Path: f + "/edit/fields", Obj: ObjForms, Act: r, Handler: h.fieldsPage},
		{Method: get, Path: f + "/edit/fields/new", Obj: ObjForms, Act: w, Handler: h.newField},
		{Method: get, Path: f + "/edit/fields/:i", Obj: ObjForms, Act: r, Handler: h.editField},
		{Method: post, Path: f + "/edit/fields", Obj: ObjForms, Act: w, Handler: h.saveField},
		{Method: post, Path: f + "/edit/fields/order", Obj: ObjForms, Act: w, Handler: h.orderFields},
		{Method: post, Path: f + "/edit/fields/:i", Obj: ObjForms, Act: w, Handler: h.saveField},
		{Method: post, Path: f + "/edit/fields/:i/move", Obj: ObjForms, Act: w, Handler: h.moveField},
		{Method: post, Path: f + "/edit/fields/:i/delete", Obj: ObjForms, Act: w, Handler: h.deleteField},
		{Method: get, Path: f + "/edit/pattern-test", Obj: ObjForms, Act: r, Handler: h.patternTestPage},
		{Method: get, Path: f + "/edit/plans", Obj: ObjForms, Act: r, Handler: h.plans},
		{Method: post, Path: f + "/edit/plans", Obj: ObjForms, Act: w, Handler: h.savePlans},
		{Method: get, Path: f + "/edit/pools", Obj: ObjForms, Act: r, Handler: h.pools},
		{Method: post, Path: f + "/edit/pools", Obj: ObjForms, Act: w, Handler: h.savePools},
		{Method: get, Path: f + "/edit/devices", Obj: ObjForms, Act: r, Handler: h.devices},
		{Method: post, Path: f + "/edit/devices", Obj: ObjForms, Act: w, Handler: h.saveDevices},
		{Method: get, Path: f + "/edit/settings", Obj: ObjForms, Act: r, Handler: h.settings},
		{Method: post, Path: f + "/edit/settings", Obj: ObjForms, Act: w, Handler: h.saveSettings},
		{Method: post, Path: f + "/publish", Obj: ObjForms, Act: w, Handler: h.publishForm},
		{Method: get, Path: f + "/versions", Obj: ObjForms, Act: r, Handler: h.versions},
		{Method: get, Path: f + "/diff", Obj: ObjForms, Act: r, Handler: h.diff},
		{Method: post, Path: f + "/versions/:vid/rollback", Obj: ObjForms, Act: w, Handler: h.rollback},
		{Method: get, Path: f + "/export", Obj: ObjForms, Act: r, Handler: h.export},
		{Method: get, Path: f + "/import", Obj: ObjForms, Act: w, Handler: h.importPage},
		{Method: post, Path: f + "/import", Obj: ObjForms, Act: w, Handler: h.importConfig},
		// The preview only reads: a viewer may walk it, and its Continue
		// buttons post to it only to move on (nothing posted is read).
		{Method: get, Path: f + "/preview", Obj: ObjForms, Act: r, Handler: h.previewRoot},
		{Method: get, Path: f + "/preview/", Obj: ObjForms, Act: r, Handler: h.preview},
		{Method: get, Path: f + "/preview/phone/numbers", Obj: ObjForms, Act: r, Handler: h.previewNumberList},
		{Method: get, Path: f + "/preview/:step", Obj: ObjForms, Act: r, Handler: h.preview},
		{Method: post, Path: f + "/preview/", Obj: ObjForms, Act: r, Handler: h.previewNext},
		{Method: post, Path: f + "/preview/:step", Obj: ObjForms, Act: r, Handler: h.previewNext},
	}
}

// adminRoot sends /admin to /admin/ (routing is strict).
func (h *handlers) adminRoot(c *fiber.Ctx) error {
	return c.Redirect("/admin/", fiber.StatusMovedPermanently)
}
