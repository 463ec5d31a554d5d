package components

import (
	"context"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"

	"github.com/a-h/templ"

	"websignup/forms"
)

// BrandVM is the operator's look and contact details, already checked for
// use in a page: colours are #rrggbb or empty, URLs are safe or empty.
type BrandVM struct {
	CompanyTitle     string
	LogoURL          string // "" or a path on this site or an https URL
	SubscriptionText string
	TermsURL         string // "" or an http(s) URL or a path on this site
	SupportEmail     string
	SupportPhone     string
	// HomeURL is where the company title links to: the wizard's start.
	HomeURL string
	// Badge is the words by the lock in the header: "" is "Secure signup".
	// Self-care sets its own (WithBadge).
	Badge string

	Primary    string // #rrggbb; "" falls back to the stylesheet's default
	Accent     string
	Background string
	Text       string

	// pre is what the layout derives from the fields above, computed once
	// by NewBrand; a BrandVM built otherwise (a literal) has none, and the
	// layout derives it on each page. A brand changed after NewBrand would
	// show its old header: build a new one instead.
	pre brandDerived
}

// brandDerived is a brand's part of every page: its colour CSS and its
// header and footer markup, rendered by the same components as the layout
// renders them, so the page is byte for byte the same.
type brandDerived struct {
	ok             bool // computed; css or footer may be "" when ok
	css            string
	header, footer string
}

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// safeColor returns c if it is a #rrggbb colour and "" otherwise: colours go
// into a style element, so nothing else may pass, whatever validated them.
func safeColor(c string) string {
	c = strings.TrimSpace(c)
	if hexColor.MatchString(c) {
		return strings.ToLower(c)
	}
	return ""
}

// safeImageURL keeps a same-site path or an https URL; anything else
// (javascript:, data:, protocol-relative //host) becomes "".
func safeImageURL(u string) string {
	u = strings.TrimSpace(u)
	switch {
	case strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") && !strings.ContainsRune(u, '\\'):
		return u
	case strings.HasPrefix(strings.ToLower(u), "https://"):
		return u
	}
	return ""
}

// safeLinkURL keeps a same-site path or an http(s) URL.
func safeLinkURL(u string) string {
	if s := safeImageURL(u); s != "" {
		return s
	}
	u = strings.TrimSpace(u)
	if strings.HasPrefix(strings.ToLower(u), "http://") {
		return u
	}
	return ""
}

// NewBrand checks an operator's branding for display. homeURL is the
// wizard's start page (e.g. "/s/demo/"), where the company title links to.
func NewBrand(b forms.Branding, homeURL string) BrandVM {
	title := strings.TrimSpace(b.CompanyTitle)
	if title == "" {
		title = neutralTitle
	}
	vm := BrandVM{
		CompanyTitle:     title,
		LogoURL:          safeImageURL(b.LogoURL),
		SubscriptionText: strings.TrimSpace(b.SubscriptionText),
		TermsURL:         safeLinkURL(b.TermsURL),
		SupportEmail:     strings.TrimSpace(b.SupportEmail),
		SupportPhone:     strings.TrimSpace(b.SupportPhone),
		HomeURL:          safeLinkURL(homeURL),
		Primary:          safeColor(b.PrimaryColor),
		Accent:           safeColor(b.AccentColor),
		Background:       safeColor(b.BackgroundColor),
		Text:             safeColor(b.TextColor),
	}
	vm.pre = vm.derive()
	return vm
}

// derive computes b's colour CSS and renders its header and footer. A
// render cannot fail into a strings.Builder; if it ever did, nothing is
// kept and every page renders them itself (and returns the error).
func (b BrandVM) derive() brandDerived {
	var header, footer strings.Builder
	ctx := context.Background()
	if siteHeader(b).Render(ctx, &header) != nil || siteFooter(b).Render(ctx, &footer) != nil {
		return brandDerived{}
	}
	return brandDerived{ok: true, css: b.cssVars(), header: header.String(), footer: footer.String()}
}

const neutralTitle = "Online signup"

// NeutralBrand is the look of pages that belong to no form, such as the 404
// page of an unknown slug: the stylesheet's own colours and a generic title.
func NeutralBrand() BrandVM {
	return BrandVM{CompanyTitle: neutralTitle}
}

// IsNeutral reports whether b is the neutral brand of pages outside a form,
// whatever its badge.
func (b BrandVM) IsNeutral() bool {
	b.pre = brandDerived{} // derived from the fields compared
	b.Badge = ""
	return b == NeutralBrand()
}

// defaultBadge is the header's badge of a brand without one.
const defaultBadge = "Secure signup"

// badge is the words by the header's lock.
func (b BrandVM) badge() string {
	if b.Badge == "" {
		return defaultBadge
	}
	return b.Badge
}

// WithBadge returns b with the header's badge set to badge (say, "Secure
// self-care" on self-care's pages), its header rendered again if NewBrand
// had rendered it.
func (b BrandVM) WithBadge(badge string) BrandVM {
	b.Badge = badge
	if b.pre.ok {
		b.pre = b.derive()
	}
	return b
}

// SupportPhoneURL returns a tel: URL for the support phone, keeping only
// digits and a leading +, or "" if there is no usable number.
func (b BrandVM) SupportPhoneURL() templ.SafeURL {
	var sb strings.Builder
	for i, r := range b.SupportPhone {
		if (r >= '0' && r <= '9') || (r == '+' && i == 0) {
			sb.WriteRune(r)
		}
	}
	if sb.Len() < 3 {
		return ""
	}
	return templ.SafeURL("tel:" + sb.String())
}

// SupportEmailURL returns a mailto: URL for the support address, or "" if it
// does not look like an address.
func (b BrandVM) SupportEmailURL() templ.SafeURL {
	e := b.SupportEmail
	if !strings.Contains(e, "@") || strings.ContainsAny(e, " \t\r\n<>\"'?&") {
		return ""
	}
	return templ.SafeURL("mailto:" + e)
}

// cssVars returns the custom properties that theme the stylesheet. Only
// colours that passed safeColor are emitted; the on-primary text colour is
// chosen for contrast so a light brand colour still gets readable buttons.
func (b BrandVM) cssVars() string {
	var sb strings.Builder
	add := func(name, v string) {
		if v != "" {
			fmt.Fprintf(&sb, "--%s:%s;", name, v)
		}
	}
	add("brand", b.Primary)
	if b.Primary != "" {
		add("on-brand", contrastText(b.Primary))
	}
	add("accent", b.Accent)
	add("bg", b.Background)
	add("text", b.Text)
	if sb.Len() == 0 {
		return ""
	}
	return ":root{" + sb.String() + "}"
}

// contrastText returns near-black or white, whichever contrasts more with
// the #rrggbb background c (WCAG relative luminance).
func contrastText(c string) string {
	if forms.RelativeLuminance(c) > 0.179 {
		return "#111827"
	}
	return "#ffffff"
}

// brandStyle writes the brand's CSS variables in a <style> element carrying
// the request's CSP nonce. It is written by hand rather than with templ.Raw
// so that what reaches the page is visibly only validated colours.
//
// Its value is the CSS, b.styleCSS(): a string type whose Render the layout
// calls directly, so that writing it allocates nothing.
type brandStyle string

// Render implements templ.Component.
func (css brandStyle) Render(ctx context.Context, w io.Writer) error {
	if css == "" {
		return nil
	}
	var err error
	write := func(s string) {
		if err == nil {
			_, err = io.WriteString(w, s)
		}
	}
	write(`<style`)
	if n := templ.GetNonce(ctx); n != "" {
		write(` nonce="`)
		write(html.EscapeString(n))
		write(`"`)
	}
	write(` data-testid="brand-style">`)
	write(string(css))
	write(`</style>`)
	return err
}

// styleCSS is b's colour CSS: NewBrand's, or made now for a literal.
func (b BrandVM) styleCSS() string {
	if b.pre.ok {
		return b.pre.css
	}
	return b.cssVars()
}

// pageHeader is siteHeader(b), written from NewBrand's rendering when b
// has one.
func pageHeader(b BrandVM) templ.Component {
	if !b.pre.ok {
		return siteHeader(b)
	}
	return templ.Raw(b.pre.header)
}

// pageFooter is siteFooter(b), written from NewBrand's rendering when b
// has one.
func pageFooter(b BrandVM) templ.Component {
	if !b.pre.ok {
		return siteFooter(b)
	}
	return templ.Raw(b.pre.footer)
}
