package forms

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"slices"
	"testing"
)

// TestInputCardPrefixDocNamesRealInputs keeps the comment of InputCardPrefix
// true: an admin reading it to choose a field key must see the card inputs
// the payment step really posts, and no old names.
func TestInputCardPrefixDocNamesRealInputs(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "validate.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	doc := ""
	ast.Inspect(f, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok && slices.ContainsFunc(vs.Names, func(id *ast.Ident) bool { return id.Name == "InputCardPrefix" }) {
			doc = vs.Doc.Text()
		}
		return doc == ""
	})
	if doc == "" {
		t.Fatal("InputCardPrefix has no doc comment")
	}
	real := []string{InputCardName, InputCardNumber, InputCardExpMonth, InputCardExpYear, InputCardCVV}
	named := regexp.MustCompile(`\bcard_[a-z_]+`).FindAllString(doc, -1)
	for _, name := range real {
		if !slices.Contains(named, name) {
			t.Errorf("InputCardPrefix's comment does not name the input %q; it names %q", name, named)
		}
	}
	// card_token is the summary's hidden field (public.InputCardToken).
	for _, name := range named {
		if !slices.Contains(real, name) && name != "card_token" {
			t.Errorf("InputCardPrefix's comment names %q, which no page posts", name)
		}
	}
}
