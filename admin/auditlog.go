package admin

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/internal/web"
	"websignup/storage"
)

// auditPageSize is how many audit entries a page shows.
const auditPageSize = 25

// auditLog shows the audit log within the user's scope, newest first,
// filtered by actor, action and object ("user 12" or "user").
func (h *handlers) auditLog(c *fiber.Ctx) error {
	ctx := c.UserContext()
	vm := components.AdminAuditVM{Actor: formQuery(c, "actor"), Action: formQuery(c, "action"), Object: formQuery(c, "object")}
	f := storage.AuditFilter{Actor: vm.Actor, Action: vm.Action, Limit: auditPageSize}
	if typ, id, ok := strings.Cut(vm.Object, " "); ok {
		f.ObjectType, f.ObjectID = strings.ToLower(strings.TrimSpace(typ)), strings.TrimSpace(id)
	} else {
		f.ObjectType = strings.ToLower(vm.Object)
	}
	page, _ := strconv.Atoi(c.Query("page"))
	page = max(page, 1)
	f.Offset = (page - 1) * auditPageSize
	entries, total, err := h.Store.AuditLog(ctx, tenantScope(c), f)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	actions, err := h.Store.AuditActions(ctx, tenantScope(c))
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	for _, a := range actions {
		vm.Actions = append(vm.Actions, components.AdminOption{Value: a, Label: a, Selected: a == vm.Action})
	}
	vm.Total = total
	if len(entries) > 0 {
		vm.From = int64(f.Offset) + 1
		vm.To = int64(f.Offset + len(entries))
	}
	pageURL := func(n int) string {
		q := url.Values{}
		for k, v := range map[string]string{"actor": vm.Actor, "action": vm.Action, "object": vm.Object} {
			if v != "" {
				q.Set(k, v)
			}
		}
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
		}
		if len(q) == 0 {
			return "/admin/audit"
		}
		return "/admin/audit?" + q.Encode()
	}
	if page > 1 {
		vm.PrevURL = pageURL(page - 1)
	}
	if vm.To < total {
		vm.NextURL = pageURL(page + 1)
	}
	for _, e := range entries {
		vm.Entries = append(vm.Entries, auditRow(e))
	}
	return web.Render(c, fiber.StatusOK, components.AdminAudit(h.page(c, "Audit log"), vm))
}

// formQuery returns a trimmed, copied query parameter of bounded length.
func formQuery(c *fiber.Ctx, key string) string {
	v := strings.TrimSpace(strings.Clone(c.Query(key)))
	if len(v) > 200 {
		v = v[:200]
	}
	return v
}

func auditRow(e storage.AuditEntry) components.AdminAuditRow {
	row := components.AdminAuditRow{
		At: e.At.UTC().Format("2006-01-02 15:04:05"), ISOAt: e.At.UTC().Format(time.RFC3339),
		Actor: e.ActorEmail, Action: e.Action, Object: strings.TrimSpace(e.ObjectType + " " + e.ObjectID),
	}
	if e.TenantID != 0 {
		row.TenantID = strconv.FormatInt(e.TenantID, 10)
	}
	row.Changes = auditChanges(e.Before, e.After)
	return row
}

// auditChanges lays before and after side by side, attribute by attribute
// when both are JSON objects, changed ones marked; other values become one
// row. Values are shown as JSON text, which the template escapes.
func auditChanges(before, after json.RawMessage) []components.AdminAuditChange {
	var b, a map[string]json.RawMessage
	bObj := before == nil || json.Unmarshal(before, &b) == nil
	aObj := after == nil || json.Unmarshal(after, &a) == nil
	if !bObj || !aObj {
		return []components.AdminAuditChange{{Key: "value", Before: string(before), After: string(after),
			Changed: string(before) != string(after)}}
	}
	keys := make([]string, 0, len(a)+len(b))
	for k := range b {
		keys = append(keys, k)
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := make([]components.AdminAuditChange, 0, len(keys))
	for _, k := range keys {
		bv, av := showJSON(b[k]), showJSON(a[k])
		out = append(out, components.AdminAuditChange{Key: k, Before: bv, After: av, Changed: bv != av})
	}
	return out
}

// showJSON shows a JSON value compactly: strings without their quotes.
func showJSON(v json.RawMessage) string {
	if v == nil {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}
