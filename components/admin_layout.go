package components

// adminTitle is the document title: the page's, then the product's.
func adminTitle(p AdminPage) string {
	if p.Title == "" {
		return AdminProduct
	}
	return p.Title + " – " + AdminProduct
}
