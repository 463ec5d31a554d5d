package components_test

import (
	"strings"
	"testing"

	"websignup/components"
	"websignup/forms"
)

func TestNewDeviceKeepsOnlySafePictures(t *testing.T) {
	price := forms.Money{Amount: 4900, Currency: "USD"}
	tests := []struct{ url, want string }{
		{"https://cdn.example/t31p.png", "https://cdn.example/t31p.png"},
		{"/media/t31p.png", "/media/t31p.png"},
		{"javascript:alert(1)", components.Asset("img/phone.svg")},
		{"//evil.example/x.png", components.Asset("img/phone.svg")},
		{"", components.Asset("img/phone.svg")},
	}
	for _, tt := range tests {
		d := components.NewDevice(forms.Device{IUAType: 7, Name: "T31P", ImageURL: tt.url}, price, false)
		if d.ImageURL != tt.want || d.Value != "7" || d.Price != "$49.00" {
			t.Errorf("%q: %+v", tt.url, d)
		}
	}
}

func TestSummaryEscapesAnswers(t *testing.T) {
	vm := components.SummaryVM{
		FormVM:    components.FormVM{Slug: "demo"},
		Details:   []components.SummaryRowVM{{Key: "firstname", Label: "First name", Value: `<script>alert(1)</script>`}},
		CardBrand: "VISA", CardLast4: "4242", CardToken: `"><b>x`,
	}
	doc, html := render(t, components.SummaryPage(components.Page{Brand: components.NeutralBrand()}, vm))
	if strings.Contains(html, "<script>alert") || strings.Contains(html, `"><b>`) {
		t.Error("an answer or the token is not escaped")
	}
	if got := doc.Find(`[data-testid="summary-firstname"] dd`).Text(); got != `<script>alert(1)</script>` {
		t.Errorf("answer shown as %q", got)
	}
	if got := doc.Find(`input[name="card_token"]`).AttrOr("value", ""); got != `"><b>x` {
		t.Errorf("token %q", got)
	}
}
