// Package forms is websignup's domain: tenants, forms and their immutable
// versions (branding, the address page's fields, products, number pools,
// devices), the validation of a configuration and of a prospect's answers,
// prices, and the wizard's step rules.
//
// It imports no framework: no Fiber, GORM, templ or Casbin. Storage, HTTP and
// PortaSwitch live in other packages and convert to and from these types at
// their edges.
package forms
