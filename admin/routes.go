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
	return []route{
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
	}
}

// adminRoot sends /admin to /admin/ (routing is strict).
func (h *handlers) adminRoot(c *fiber.Ctx) error {
	return c.Redirect("/admin/", fiber.StatusMovedPermanently)
}
