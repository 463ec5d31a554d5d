package public

import (
	"slices"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/memo"
)

// versionViews remembers, for each version a wizard shows, the view models
// that depend on the version alone: the brand (components.NewBrand checks
// every colour and URL and renders the header and footer) and the plans
// (their prices formatted). They would otherwise be made on every request
// for what changes only when a version is published.
//
// An entry is found by version id and used only if the slug, branding and
// products it was made from are still those of the version: a view can
// never be stale, whatever is published, rolled back or renamed. The
// comparison is cheap, since a published version is cached in memory and
// shares its strings with every request. It is safe for concurrent use.
type versionViews struct {
	m memo.Map[int64, *versionView]
}

// versionView is what versionViews keeps of a version. It is shared by
// concurrent requests: nothing in it may be modified.
type versionView struct {
	// What it was made from.
	slug     string
	branding forms.Branding
	products []forms.Product

	brand components.BrandVM
	// plans are the version's products as plans, none selected.
	plans []components.PlanVM
}

// view returns the view of version v of the form with the given slug,
// made once.
func (vs *versionViews) view(slug string, v *forms.Version) *versionView {
	vw, _ := vs.m.Load(v.ID)
	if vw != nil && vw.slug == slug && vw.branding == v.Config.Branding && slices.Equal(vw.products, v.Config.Products) {
		return vw
	}
	vw = &versionView{
		slug:     slug,
		branding: v.Config.Branding,
		products: v.Config.Products,
		brand:    components.NewBrand(v.Config.Branding, components.WizardURL(slug, forms.StepWelcome)),
		plans:    make([]components.PlanVM, 0, len(v.Config.Products)),
	}
	for _, p := range v.Config.Products {
		vw.plans = append(vw.plans, components.NewPlan(p, false))
	}
	vs.m.Store(v.ID, vw)
	return vw
}

// plansChoosing returns the view's plans with the product chosen selected,
// a copy the caller owns.
func (vw *versionView) plansChoosing(chosen int64) []components.PlanVM {
	plans := slices.Clone(vw.plans)
	for i := range plans {
		plans[i].Selected = plans[i].IProduct == chosen
	}
	return plans
}
