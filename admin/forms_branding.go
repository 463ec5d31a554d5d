package admin

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/web"
	"websignup/storage"
)

// brandingInputs maps branding.x paths to their inputs (named x).
func brandingInput(path string) string {
	if name, ok := strings.CutPrefix(path, "branding."); ok {
		if name == "logo_url" {
			return "logo"
		}
		return name
	}
	return ""
}

func brandingVM(b forms.Branding) components.AdminBrandingVM {
	return components.AdminBrandingVM{
		CompanyTitle: b.CompanyTitle, LogoURL: b.LogoURL,
		PrimaryColor: b.PrimaryColor, AccentColor: b.AccentColor,
		BackgroundColor: b.BackgroundColor, TextColor: b.TextColor,
		SubscriptionText: b.SubscriptionText, TermsURL: b.TermsURL,
		SupportEmail: b.SupportEmail, SupportPhone: b.SupportPhone,
		Warnings:   contrastWarnings(b),
		MaxLogoKiB: storage.MaxMediaSize >> 10,
	}
}

// branding shows the branding section.
func (h *handlers) branding(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	ed := h.editorVM(c, ef, "branding")
	return web.Render(c, fiber.StatusOK, components.AdminFormBranding(h.formPage(c, "Branding – "+ef.form.Name), ed, brandingVM(ef.cfg.Branding)))
}

// saveBranding replaces the draft's branding with what was posted (the
// text fields and, optionally, a new logo) and saves the whole draft.
func (h *handlers) saveBranding(c *fiber.Ctx) error {
	ef, err := h.loadForm(c)
	if err != nil {
		return err
	}
	ed := h.editorVM(c, ef, "branding")
	b := forms.Branding{
		CompanyTitle:     formValue(c, "company_title"),
		LogoURL:          formValue(c, "logo_url"),
		PrimaryColor:     strings.ToLower(formValue(c, "primary_color")),
		AccentColor:      strings.ToLower(formValue(c, "accent_color")),
		BackgroundColor:  strings.ToLower(formValue(c, "background_color")),
		TextColor:        strings.ToLower(formValue(c, "text_color")),
		SubscriptionText: formValue(c, "subscription_text"),
		TermsURL:         formValue(c, "terms_url"),
		SupportEmail:     formValue(c, "support_email"),
		SupportPhone:     formValue(c, "support_phone"),
	}
	if formValue(c, "remove_logo") != "" {
		b.LogoURL = ""
	}
	if fh, err := c.FormFile("logo"); err == nil && fh.Size > 0 {
		url, msg, err := h.uploadImage(c, ef.form.TenantID, fh)
		if err != nil {
			return err
		}
		if msg != "" {
			addInputError(&ed, "logo", msg)
		} else {
			b.LogoURL = url
		}
	}
	cfg := ef.cfg
	cfg.Branding = b
	if len(ed.Errors) == 0 {
		err := h.saveDraft(c, ef, cfg, "branding", ef.cfg.Branding, b)
		if err == nil {
			return savedRedirect(c, ef, "/edit/branding")
		}
		ve, ok := validationErrors(err)
		if !ok {
			return fmt.Errorf("save branding: %w", err)
		}
		applyErrors(&ed, ve, "branding", brandingInput)
	}
	return web.Render(c, fiber.StatusUnprocessableEntity, components.AdminFormBranding(h.formPage(c, "Branding – "+ef.form.Name), ed, brandingVM(b)))
}

// imageTypes are the picture formats accepted, by sniffed content type.
// SVG is refused: it can carry script, and sanitising it is not worth it
// for a logo.
var imageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/webp": true}

// uploadImage checks an uploaded picture by its bytes (never by its name
// or declared type) and size, and stores it. It returns the picture's URL,
// or a message for the admin when the file is refused.
func (h *handlers) uploadImage(c *fiber.Ctx, tenantID int64, fh *multipart.FileHeader) (url, msg string, err error) {
	if fh.Size > storage.MaxMediaSize {
		return "", fmt.Sprintf("The picture is %d KiB; use one of at most %d KiB", (fh.Size+1023)>>10, storage.MaxMediaSize>>10), nil
	}
	f, err := fh.Open()
	if err != nil {
		return "", "", fmt.Errorf("open upload: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, storage.MaxMediaSize+1))
	if err != nil {
		return "", "", fmt.Errorf("read upload: %w", err)
	}
	if len(data) > storage.MaxMediaSize {
		return "", fmt.Sprintf("Use a picture of at most %d KiB", storage.MaxMediaSize>>10), nil
	}
	ct := http.DetectContentType(data)
	if !imageTypes[ct] {
		return "", "Use a PNG, JPEG or WebP picture (SVG and other files are not accepted)", nil
	}
	m, err := h.Store.SaveMedia(c.UserContext(), tenantID, ct, data)
	if err != nil {
		return "", "", fmt.Errorf("save upload: %w", err)
	}
	if err := h.audit(c, tenantID, "media.upload", "media", strconv.FormatInt(m.ID, 10), nil,
		map[string]any{"content_type": ct, "bytes": len(data), "sha256": m.SHA256}); err != nil {
		return "", "", err
	}
	return MediaURL(m.ID), "", nil
}

// MediaURL is the public address of an uploaded picture.
func MediaURL(id int64) string { return "/media/" + strconv.FormatInt(id, 10) }

// The colours the public stylesheet uses when a form leaves one empty.
const (
	defaultPrimary    = "#2f55d4"
	defaultBackground = "#f4f6fa"
	defaultText       = "#1b2430"
	white             = "#ffffff"
)

var hexColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// contrastWarnings lists the colour pairs of b that fall below the WCAG AA
// contrast ratio for body text (4.5:1): text on the background, white on
// the primary colour (the buttons' text, unless the site switches it to
// dark) and the primary colour (links) on the background.
func contrastWarnings(b forms.Branding) []string {
	pick := func(c, def string) string {
		if hexColour.MatchString(c) {
			return strings.ToLower(c)
		}
		return def
	}
	primary, bg, text := pick(b.PrimaryColor, defaultPrimary), pick(b.BackgroundColor, defaultBackground), pick(b.TextColor, defaultText)
	var out []string
	if r := forms.ContrastRatio(text, bg); r < 4.5 {
		out = append(out, fmt.Sprintf("Text %s on the background %s has a contrast of %.1f:1; at least 4.5:1 is needed.", text, bg, r))
	}
	if r := forms.ContrastRatio(white, primary); r < 4.5 {
		out = append(out, fmt.Sprintf("White text on the primary colour %s has a contrast of %.1f:1; buttons will use dark text instead, or pick a darker colour.", primary, r))
	}
	if r := forms.ContrastRatio(primary, bg); r < 4.5 {
		out = append(out, fmt.Sprintf("Links in the primary colour %s on the background %s have a contrast of %.1f:1; at least 4.5:1 is needed.", primary, bg, r))
	}
	return out
}
