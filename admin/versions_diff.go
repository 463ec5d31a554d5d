package admin

import (
	"fmt"
	"strconv"
	"strings"

	"websignup/forms"
)

// Change is one difference between two configurations, in words.
type Change struct {
	Area string // Branding, Fields, Plans, Number pools, Devices, Settings
	Text string
}

// Diff lists what changed from a to b, field by field: branding values,
// fields added, removed, moved or changed, plans, pools and devices added,
// removed or changed, bring-your-own and the reseller.
func Diff(a, b forms.Config) []Change {
	var d differ
	d.branding(a.Branding, b.Branding)
	d.fields(a.Fields, b.Fields)
	d.products(a, b)
	d.pools(a.Pools, b.Pools)
	d.devices(a, b)
	if a.IParent != b.IParent {
		d.add("Settings", "changed the reseller (i_parent) from %d to %d", a.IParent, b.IParent)
	}
	return d.out
}

type differ struct{ out []Change }

func (d *differ) add(area, format string, args ...any) {
	d.out = append(d.out, Change{Area: area, Text: fmt.Sprintf(format, args...)})
}

// quote shows a value in a change: quoted, shortened, or "(empty)".
func quote(s string) string {
	if s == "" {
		return "(empty)"
	}
	if r := []rune(s); len(r) > 80 {
		s = string(r[:77]) + "…"
	}
	return strconv.Quote(s)
}

func (d *differ) value(area, what, a, b string) {
	if a != b {
		d.add(area, "changed %s from %s to %s", what, quote(a), quote(b))
	}
}

func (d *differ) branding(a, b forms.Branding) {
	const area = "Branding"
	d.value(area, "the company title", a.CompanyTitle, b.CompanyTitle)
	d.value(area, "the logo", a.LogoURL, b.LogoURL)
	d.value(area, "the primary colour", a.PrimaryColor, b.PrimaryColor)
	d.value(area, "the accent colour", a.AccentColor, b.AccentColor)
	d.value(area, "the background colour", a.BackgroundColor, b.BackgroundColor)
	d.value(area, "the text colour", a.TextColor, b.TextColor)
	d.value(area, "the subscription text", a.SubscriptionText, b.SubscriptionText)
	d.value(area, "the terms link", a.TermsURL, b.TermsURL)
	d.value(area, "the support email", a.SupportEmail, b.SupportEmail)
	d.value(area, "the support phone", a.SupportPhone, b.SupportPhone)
}

func conditionText(c *forms.Condition) string {
	if c == nil {
		return ""
	}
	return c.Field + " = " + c.Equals
}

func optionsText(opts []forms.Option) string {
	parts := make([]string, len(opts))
	for i, o := range opts {
		parts[i] = o.Value + "|" + o.Label
	}
	return strings.Join(parts, ", ")
}

func (d *differ) fields(a, b []forms.Field) {
	const area = "Fields"
	at := func(list []forms.Field, key string) int {
		for i, f := range list {
			if f.Key == key {
				return i
			}
		}
		return -1
	}
	for _, f := range a {
		if at(b, f.Key) < 0 {
			d.add(area, "removed the field %s (%s)", quote(f.Label), f.Key)
		}
	}
	for i, f := range b {
		j := at(a, f.Key)
		if j < 0 {
			d.add(area, "added the field %s (%s, %s) at position %d", quote(f.Label), f.Key, f.Kind, i+1)
			continue
		}
		o := a[j]
		what := func(s string) string { return s + " of " + f.Key }
		d.value(area, what("the kind"), string(o.Kind), string(f.Kind))
		d.value(area, what("the label"), o.Label, f.Label)
		d.value(area, what("the help"), o.Help, f.Help)
		d.value(area, what("the placeholder"), o.Placeholder, f.Placeholder)
		if o.Required != f.Required {
			d.add(area, "made %s %s", f.Key, map[bool]string{true: "required", false: "optional"}[f.Required])
		}
		d.value(area, what("the minimum length"), lengthText(o.MinLength), lengthText(f.MinLength))
		d.value(area, what("the maximum length"), lengthText(o.MaxLength), lengthText(f.MaxLength))
		d.value(area, what("the pattern"), o.Pattern, f.Pattern)
		d.value(area, what("the options"), optionsText(o.Options), optionsText(f.Options))
		d.value(area, what("the condition"), conditionText(o.ShowWhen), conditionText(f.ShowWhen))
	}
	// The order of the fields both versions have.
	var oa, ob []string
	for _, f := range a {
		if at(b, f.Key) >= 0 {
			oa = append(oa, f.Key)
		}
	}
	for _, f := range b {
		if at(a, f.Key) >= 0 {
			ob = append(ob, f.Key)
		}
	}
	if strings.Join(oa, ",") != strings.Join(ob, ",") {
		d.add(area, "changed the order from %s to %s", strings.Join(oa, ", "), strings.Join(ob, ", "))
	}
}

func lengthText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func (d *differ) products(ca, cb forms.Config) {
	const area = "Plans"
	for _, p := range ca.Products {
		if _, ok := cb.Product(p.IProduct); !ok {
			d.add(area, "removed the plan %s (product %d)", quote(p.Name), p.IProduct)
		}
	}
	for _, p := range cb.Products {
		o, ok := ca.Product(p.IProduct)
		if !ok {
			d.add(area, "added the plan %s (product %d) at %s / %s, activation %s", quote(p.Name), p.IProduct, p.Recurring(), p.Period, p.Activation())
			continue
		}
		what := func(s string) string { return s + " of the plan " + quote(p.Name) }
		d.value(area, what("the name"), o.Name, p.Name)
		d.value(area, what("the description"), o.Description, p.Description)
		d.value(area, what("the activation fee"), o.Activation().String(), p.Activation().String())
		d.value(area, what("the recurring fee"), o.Recurring().String()+" / "+o.Period, p.Recurring().String()+" / "+p.Period)
	}
}

func (d *differ) pools(a, b []forms.Pool) {
	const area = "Number pools"
	ca, cb := forms.Config{Pools: a}, forms.Config{Pools: b}
	for _, p := range a {
		if _, ok := cb.Pool(p.IDVBatch); !ok {
			d.add(area, "removed the pool %s (batch %d)", quote(p.Name), p.IDVBatch)
		}
	}
	for _, p := range b {
		o, ok := ca.Pool(p.IDVBatch)
		if !ok {
			d.add(area, "added the pool %s (batch %d)", quote(p.Name), p.IDVBatch)
			continue
		}
		d.value(area, "the name of batch "+strconv.FormatInt(p.IDVBatch, 10), o.Name, p.Name)
		d.value(area, "the prefix of "+quote(p.Name), o.Prefix, p.Prefix)
	}
}

func (d *differ) devices(ca, cb forms.Config) {
	const area = "Devices"
	for _, x := range ca.Devices {
		if _, ok := cb.Device(x.IUAType); !ok {
			d.add(area, "removed the device %s (type %d)", quote(x.Name), x.IUAType)
		}
	}
	for _, x := range cb.Devices {
		o, ok := ca.Device(x.IUAType)
		if !ok {
			d.add(area, "added the device %s (type %d) at %s", quote(x.Name), x.IUAType, cb.DevicePrice(x))
			continue
		}
		what := func(s string) string { return s + " of the device " + quote(x.Name) }
		d.value(area, what("the name"), o.Name, x.Name)
		d.value(area, what("the description"), o.Description, x.Description)
		d.value(area, what("the price"), ca.DevicePrice(o).String(), cb.DevicePrice(x).String())
		d.value(area, what("the picture"), o.ImageURL, x.ImageURL)
	}
	if ca.AllowBYOD != cb.AllowBYOD {
		if cb.AllowBYOD {
			d.add(area, "allowed bring-your-own phones")
		} else {
			d.add(area, "stopped allowing bring-your-own phones")
		}
	}
}
