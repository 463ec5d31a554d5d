package public

import (
	"sync"

	"websignup/components"
	"websignup/forms"
)

// maxBrands bounds the brand cache; past it the cache starts afresh.
const maxBrands = 1024

// brandCache remembers the brand view model of each branding a wizard
// shows: components.NewBrand checks every colour and URL and renders the
// header and footer, which would otherwise be done on every request for
// what changes only when a version is published.
//
// It is keyed by the branding's content and the slug (the brand's home
// link), not by version id: a published version is cached in memory and
// shares its strings with every request, so the key is cheap to hash and
// compare, and a brand can never be stale, whatever is published or
// rolled back. It is safe for concurrent use.
type brandCache struct {
	mu sync.RWMutex
	m  map[brandKey]components.BrandVM
}

type brandKey struct {
	slug     string
	branding forms.Branding
}

// brand returns components.NewBrand(b, the wizard's start of slug), made
// once per branding and slug.
func (bc *brandCache) brand(slug string, b forms.Branding) components.BrandVM {
	k := brandKey{slug: slug, branding: b}
	bc.mu.RLock()
	vm, ok := bc.m[k]
	bc.mu.RUnlock()
	if ok {
		return vm
	}
	vm = components.NewBrand(b, components.WizardURL(slug, forms.StepWelcome))
	bc.mu.Lock()
	if bc.m == nil || len(bc.m) >= maxBrands {
		bc.m = make(map[brandKey]components.BrandVM)
	}
	bc.m[k] = vm
	bc.mu.Unlock()
	return vm
}
