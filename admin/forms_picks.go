package admin

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/web"
	"websignup/storage"
)

// This file holds the sections picked from PortaSwitch's catalog: plans
// (products), number pools (DID batches) and devices (IP phone types), and
// the settings section.

// catalogTimeout bounds the PortaSwitch reads of one editor page.
const catalogTimeout = 8 * time.Second

// freeCountMax is how many free numbers a pool's count goes up to.
const freeCountMax = 200

const catalogDown = "PortaSwitch could not be reached just now, so only what the form already offers is listed. Reload the page to try again."

func (h *handlers) catalog() Catalog {
	if h.Catalog == nil {
		return noCatalog{}
	}
	return h.Catalog
}

func (h *handlers) catalogCtx(c *fiber.Ctx) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.UserContext(), catalogTimeout)
}

// catalogList reads one of PortaSwitch's catalog lists (what names it in the
// log) for an editor page. When the read fails it is logged, the page says
// so and the list is nil: the page then lists only what the form offers.
func catalogList[T any](ctx context.Context, h *handlers, c *fiber.Ctx, ed *components.AdminEditorVM, what string, read func(context.Context) ([]T, error)) []T {
	list, err := read(ctx)
	if err != nil {
		h.Logger.Warn("catalog "+what, "request_id", web.RequestID(c), "err", err)
		ed.Notice = catalogDown
		return nil
	}
	return list
}

var indexedPath = regexp.MustCompile(`^(products|pools|devices)\[(\d+)\]\.?(.*)$`)

// rowInput maps "products[k].x" to the input "x_ID" of the row whose ID is
// ids[k]; fallback names the input of a problem with no input of its own.
func rowInput(ids []string, inputs map[string]bool, fallback string) inputMapper {
	return func(path string) string {
		m := indexedPath.FindStringSubmatch(path)
		if m == nil {
			return path // "products", "pools", "devices": the whole list
		}
		k, _ := strconv.Atoi(m[2])
		if k >= len(ids) {
			return ""
		}
		if inputs[m[3]] {
			return m[3] + "_" + ids[k]
		}
		return fallback + "_" + ids[k]
	}
}

func idString(n int64) string { return strconv.FormatInt(n, 10) }

// ---- plans

func feesText(activation, recurring int64, currency, period string) (string, string) {
	a := forms.Money{Amount: activation, Currency: currency}.String()
	r := forms.Money{Amount: recurring, Currency: currency}.String() + " / " + period
	return a, r
}

// planRows merges PortaSwitch's products with the form's: catalog order,
// then those the form offers that PortaSwitch no longer lists.
func planRows(catalog []CatalogProduct, offered []forms.Product) []components.AdminPlanRow {
	var rows []components.AdminPlanRow
	seen := map[int64]bool{}
	for _, p := range catalog {
		seen[p.IProduct] = true
		row := components.AdminPlanRow{ID: idString(p.IProduct), PSName: p.Name, Name: p.Name, Description: p.Description,
			Hidden: p.Hidden, NoFees: p.NoFees}
		row.Activation, row.Recurring = feesText(p.ActivationFee, p.RecurringFee, p.Currency, p.Period)
		for _, o := range offered {
			if o.IProduct == p.IProduct {
				row.Offered, row.Name, row.Description = true, o.Name, o.Description
				if !p.NoFees && (o.ActivationFee != p.ActivationFee || o.RecurringFee != p.RecurringFee || o.Currency != p.Currency || o.Period != p.Period) {
					a, r := feesText(o.ActivationFee, o.RecurringFee, o.Currency, o.Period)
					row.Changed, row.Snapshot = true, r+" · activation "+a
				}
			}
		}
		rows = append(rows, row)
	}
	for _, o := range offered {
		if seen[o.IProduct] {
			continue
		}
		row := components.AdminPlanRow{ID: idString(o.IProduct), PSName: o.Name, Name: o.Name, Description: o.Description,
			Offered: true, Missing: catalog != nil}
		row.Activation, row.Recurring = feesText(o.ActivationFee, o.RecurringFee, o.Currency, o.Period)
		rows = append(rows, row)
	}
	return rows
}

func (h *handlers) plans(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	ed := h.editorVM(c, ef, "plans")
	ctx, cancel := h.catalogCtx(c)
	defer cancel()
	catalog := catalogList(ctx, h, c, &ed, "products", h.catalog().Products)
	vm := components.AdminPlansVM{Rows: planRows(catalog, ef.cfg.Products)}
	return web.Render(c, fiber.StatusOK, components.AdminFormPlans(h.formPage(c, "Plans – "+ef.form.Name), ed, vm))
}

// savePlans offers the ticked products, with the names and descriptions
// typed and the fees PortaSwitch has now (the saved fees of a product
// PortaSwitch no longer lists, or when it cannot be reached).
func (h *handlers) savePlans(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	ed := h.editorVM(c, ef, "plans")
	ctx, cancel := h.catalogCtx(c)
	defer cancel()
	catalog := catalogList(ctx, h, c, &ed, "products", h.catalog().Products)
	rows := planRows(catalog, ef.cfg.Products)
	var products []forms.Product
	var ids []string
	for i := range rows {
		r := &rows[i]
		r.Offered = formValue(c, "offer_"+r.ID) != ""
		r.Name, r.Description = formValue(c, "name_"+r.ID), formValue(c, "description_"+r.ID)
		if !r.Offered {
			continue
		}
		id, _ := strconv.ParseInt(r.ID, 10, 64)
		p := forms.Product{IProduct: id, Name: r.Name, Description: r.Description}
		if p.Name == "" {
			p.Name = r.PSName
		}
		found := false
		for _, cp := range catalog {
			if cp.IProduct == id && !cp.NoFees {
				p.Currency, p.ActivationFee, p.RecurringFee, p.Period = cp.Currency, cp.ActivationFee, cp.RecurringFee, cp.Period
				found = true
			}
		}
		if !found {
			old, ok := ef.cfg.Product(id)
			if !ok {
				addInputError(&ed, "product_"+r.ID, "This product has no fees in PortaSwitch, so it cannot be offered")
				continue
			}
			p.Currency, p.ActivationFee, p.RecurringFee, p.Period = old.Currency, old.ActivationFee, old.RecurringFee, old.Period
		}
		products = append(products, p)
		ids = append(ids, r.ID)
	}
	if len(ed.Errors) == 0 {
		cfg := ef.cfg
		cfg.Products = products
		err := h.saveDraft(c, ef, cfg, "products", ef.cfg.Products, products)
		if err == nil {
			return savedRedirect(c, ef, "/edit/plans")
		}
		ve, ok := validationErrors(err)
		if !ok {
			return fmt.Errorf("save plans: %w", err)
		}
		applyErrors(&ed, ve, "plans", rowInput(ids, map[string]bool{"name": true, "description": true}, "product"))
	}
	return web.Render(c, fiber.StatusUnprocessableEntity, components.AdminFormPlans(h.formPage(c, "Plans – "+ef.form.Name), ed, components.AdminPlansVM{Rows: rows}))
}

// ---- number pools

// poolRows merges PortaSwitch's batches with the form's pools and counts
// each row's free numbers now (in parallel, bounded by freeCountMax).
func (h *handlers) poolRows(ctx context.Context, catalog []CatalogPool, offered []forms.Pool) []components.AdminPoolRow {
	var rows []components.AdminPoolRow
	seen := map[int64]bool{}
	for _, b := range catalog {
		seen[b.IDVBatch] = true
		row := components.AdminPoolRow{ID: idString(b.IDVBatch), PSName: b.Name, Name: b.Name}
		if p, ok := (forms.Config{Pools: offered}).Pool(b.IDVBatch); ok {
			row.Offered, row.Name, row.Prefix = true, p.Name, p.Prefix
		}
		rows = append(rows, row)
	}
	for _, p := range offered {
		if !seen[p.IDVBatch] {
			rows = append(rows, components.AdminPoolRow{ID: idString(p.IDVBatch), PSName: p.Name, Name: p.Name, Prefix: p.Prefix, Offered: true, Missing: catalog != nil})
		}
	}
	var wg sync.WaitGroup
	for i := range rows {
		id, _ := strconv.ParseInt(rows[i].ID, 10, 64)
		wg.Add(1)
		go func(r *components.AdminPoolRow, pool forms.Pool) {
			defer wg.Done()
			n, err := h.catalog().FreeNumbers(ctx, pool, freeCountMax)
			switch {
			case err != nil:
				r.Free = "free numbers unknown"
			case n >= freeCountMax:
				r.Free = fmt.Sprintf("%d+ free numbers", freeCountMax)
			case n == 1:
				r.Free = "1 free number"
			default:
				r.Free = fmt.Sprintf("%d free numbers", n)
			}
		}(&rows[i], forms.Pool{IDVBatch: id, Prefix: onlyDigits(rows[i].Prefix)})
	}
	wg.Wait()
	return rows
}

func onlyDigits(s string) string {
	if strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
		return ""
	}
	return s
}

func (h *handlers) pools(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	ed := h.editorVM(c, ef, "pools")
	ctx, cancel := h.catalogCtx(c)
	defer cancel()
	catalog := catalogList(ctx, h, c, &ed, "pools", h.catalog().Pools)
	vm := components.AdminPoolsVM{Rows: h.poolRows(ctx, catalog, ef.cfg.Pools)}
	return web.Render(c, fiber.StatusOK, components.AdminFormPools(h.formPage(c, "Number pools – "+ef.form.Name), ed, vm))
}

func (h *handlers) savePools(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	ed := h.editorVM(c, ef, "pools")
	ctx, cancel := h.catalogCtx(c)
	defer cancel()
	catalog := catalogList(ctx, h, c, &ed, "pools", h.catalog().Pools)
	rows := h.poolRows(ctx, catalog, ef.cfg.Pools)
	var pools []forms.Pool
	var ids []string
	for i := range rows {
		r := &rows[i]
		r.Offered = formValue(c, "offer_"+r.ID) != ""
		r.Name, r.Prefix = formValue(c, "name_"+r.ID), formValue(c, "prefix_"+r.ID)
		if !r.Offered {
			continue
		}
		id, _ := strconv.ParseInt(r.ID, 10, 64)
		name := r.Name
		if name == "" {
			name = r.PSName
		}
		pools = append(pools, forms.Pool{IDVBatch: id, Name: name, Prefix: r.Prefix})
		ids = append(ids, r.ID)
	}
	cfg := ef.cfg
	cfg.Pools = pools
	err = h.saveDraft(c, ef, cfg, "pools", ef.cfg.Pools, pools)
	if err == nil {
		return savedRedirect(c, ef, "/edit/pools")
	}
	ve, ok := validationErrors(err)
	if !ok {
		return fmt.Errorf("save pools: %w", err)
	}
	applyErrors(&ed, ve, "pools", rowInput(ids, map[string]bool{"name": true, "prefix": true}, "name"))
	return web.Render(c, fiber.StatusUnprocessableEntity, components.AdminFormPools(h.formPage(c, "Number pools – "+ef.form.Name), ed, components.AdminPoolsVM{Rows: rows}))
}

// ---- devices

func deviceRows(catalog []CatalogDevice, cfg forms.Config) []components.AdminDeviceRow {
	var rows []components.AdminDeviceRow
	seen := map[int64]bool{}
	currency := cfg.Currency()
	for _, t := range catalog {
		seen[t.IUAType] = true
		ps := strings.TrimSpace(t.Manufacturer + " " + t.Model)
		if ps == "" {
			ps = t.Name
		}
		row := components.AdminDeviceRow{ID: idString(t.IUAType), PSName: ps, Name: t.Name}
		if d, ok := cfg.Device(t.IUAType); ok {
			row.Offered, row.Name, row.Description, row.ImageURL = true, d.Name, d.Description, d.ImageURL
			row.Price = forms.Money{Amount: d.Price, Currency: currency}.Decimal()
		}
		rows = append(rows, row)
	}
	for _, d := range cfg.Devices {
		if !seen[d.IUAType] {
			rows = append(rows, components.AdminDeviceRow{ID: idString(d.IUAType), PSName: d.Name, Name: d.Name,
				Description: d.Description, ImageURL: d.ImageURL, Offered: true, Missing: catalog != nil,
				Price: forms.Money{Amount: d.Price, Currency: currency}.Decimal()})
		}
	}
	return rows
}

func (h *handlers) devices(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	ed := h.editorVM(c, ef, "devices")
	ctx, cancel := h.catalogCtx(c)
	defer cancel()
	catalog := catalogList(ctx, h, c, &ed, "devices", h.catalog().DeviceTypes)
	vm := components.AdminDevicesVM{Rows: deviceRows(catalog, ef.cfg), AllowBYOD: ef.cfg.AllowBYOD,
		Currency: ef.cfg.Currency(), MaxKiB: storage.MaxMediaSize >> 10}
	return web.Render(c, fiber.StatusOK, components.AdminFormDevices(h.formPage(c, "Devices – "+ef.form.Name), ed, vm))
}

// saveDevices offers the ticked device types with the names, descriptions,
// prices and pictures typed or uploaded, and the bring-your-own switch.
func (h *handlers) saveDevices(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	ed := h.editorVM(c, ef, "devices")
	ctx, cancel := h.catalogCtx(c)
	defer cancel()
	catalog := catalogList(ctx, h, c, &ed, "devices", h.catalog().DeviceTypes)
	currency := ef.cfg.Currency()
	rows := deviceRows(catalog, ef.cfg)
	byod := formValue(c, "allow_byod") != ""
	var devices []forms.Device
	var ids []string
	for i := range rows {
		r := &rows[i]
		r.Offered = formValue(c, "offer_"+r.ID) != ""
		r.Name, r.Description = formValue(c, "name_"+r.ID), formValue(c, "description_"+r.ID)
		r.Price, r.ImageURL = formValue(c, "price_"+r.ID), formValue(c, "image_url_"+r.ID)
		if fh, err := c.FormFile("picture_" + r.ID); err == nil && fh.Size > 0 && r.Offered {
			url, msg, err := h.uploadImage(c, ef.form.TenantID, fh)
			if err != nil {
				return err
			}
			if msg != "" {
				addInputError(&ed, "picture_"+r.ID, msg)
			} else {
				r.ImageURL = url
			}
		}
		if !r.Offered {
			continue
		}
		id, _ := strconv.ParseInt(r.ID, 10, 64)
		d := forms.Device{IUAType: id, Name: r.Name, Description: r.Description, ImageURL: r.ImageURL}
		if d.Name == "" {
			d.Name = r.PSName
		}
		if r.Price == "" {
			addInputError(&ed, "price_"+r.ID, "Enter the price, such as 49.00 (0 for free)")
		} else if m, err := forms.ParseMoney(r.Price, currency); err != nil {
			addInputError(&ed, "price_"+r.ID, forms.ErrorMessage(err))
		} else {
			d.Price = m.Amount
		}
		devices = append(devices, d)
		ids = append(ids, r.ID)
	}
	vm := components.AdminDevicesVM{Rows: rows, AllowBYOD: byod, Currency: currency, MaxKiB: storage.MaxMediaSize >> 10}
	if len(ed.Errors) == 0 {
		cfg := ef.cfg
		cfg.Devices, cfg.AllowBYOD = devices, byod
		err := h.saveDraft(c, ef, cfg, "devices",
			map[string]any{"devices": ef.cfg.Devices, "allow_byod": ef.cfg.AllowBYOD},
			map[string]any{"devices": devices, "allow_byod": byod})
		if err == nil {
			return savedRedirect(c, ef, "/edit/devices")
		}
		ve, ok := validationErrors(err)
		if !ok {
			return fmt.Errorf("save devices: %w", err)
		}
		applyErrors(&ed, ve, "devices", rowInput(ids, map[string]bool{"name": true, "description": true, "price": true, "image_url": true}, "name"))
	}
	return web.Render(c, fiber.StatusUnprocessableEntity, components.AdminFormDevices(h.formPage(c, "Devices – "+ef.form.Name), ed, vm))
}

// ---- settings

func (h *handlers) settingsVM(c *fiber.Ctx, ef *editorForm) components.AdminSettingsVM {
	vm := components.AdminSettingsVM{Name: ef.form.Name, IParent: strconv.FormatInt(ef.cfg.IParent, 10), TenantIParent: "not set"}
	if t, err := h.Store.Tenant(c.UserContext(), ef.form.TenantID); err == nil && t.IParent != 0 {
		vm.TenantIParent = strconv.FormatInt(t.IParent, 10)
	}
	return vm
}

func (h *handlers) settings(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	ed := h.editorVM(c, ef, "settings")
	return web.Render(c, fiber.StatusOK, components.AdminFormSettings(h.formPage(c, "Settings – "+ef.form.Name), ed, h.settingsVM(c, ef)))
}

// saveSettings renames the form (at once) and saves the reseller to the
// draft. An empty reseller means the tenant's.
func (h *handlers) saveSettings(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	ed := h.editorVM(c, ef, "settings")
	vm := h.settingsVM(c, ef)
	vm.Name, vm.IParent = formValue(c, "name"), formValue(c, "i_parent")
	if vm.Name == "" || len([]rune(vm.Name)) > 100 {
		addInputError(&ed, "name", "Enter a name of at most 100 characters")
	}
	ip := int64(0)
	if vm.IParent == "" {
		if t, err := h.Store.Tenant(c.UserContext(), ef.form.TenantID); err == nil {
			ip = t.IParent
		}
	} else if n, err := strconv.ParseInt(vm.IParent, 10, 64); err != nil || n < 0 {
		addInputError(&ed, "i_parent", "Enter the reseller's i_customer as a whole number, or 0 for none")
	} else {
		ip = n
	}
	if len(ed.Errors) == 0 {
		if ip != ef.cfg.IParent {
			cfg := ef.cfg
			cfg.IParent = ip
			err := h.saveDraft(c, ef, cfg, "i_parent", ef.cfg.IParent, ip)
			if ve, ok := validationErrors(err); ok {
				applyErrors(&ed, ve, "settings", func(p string) string { return p })
			} else if err != nil {
				return fmt.Errorf("save settings: %w", err)
			}
		}
		if len(ed.Errors) == 0 && vm.Name != ef.form.Name {
			if _, err := h.Store.RenameForm(c.UserContext(), ef.form.ID, vm.Name); err != nil {
				return fmt.Errorf("rename form: %w", err)
			}
			if err := h.audit(c, ef.form.TenantID, "form.rename", "form", strconv.FormatInt(ef.form.ID, 10),
				map[string]any{"name": ef.form.Name}, map[string]any{"name": vm.Name}); err != nil {
				return err
			}
		}
		if len(ed.Errors) == 0 {
			return savedRedirect(c, ef, "/edit/settings")
		}
	}
	return web.Render(c, fiber.StatusUnprocessableEntity, components.AdminFormSettings(h.formPage(c, "Settings – "+ef.form.Name), ed, vm))
}
