package public

import (
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"websignup/forms"
	"websignup/internal/seal"
	"websignup/internal/web"
)

// CardCookie carries the sealed card across the redirect from the payment
// step to the summary, which puts it in its form's InputCardToken field.
const CardCookie = "ws_card"

// InputCardToken is the summary form's hidden field holding the sealed card.
const InputCardToken = "card_token"

// cardPurpose is the seal purpose of cards: a card token opens under no
// other purpose, nor any other token as a card.
const cardPurpose = "card"

// Why a card token did not open, as the payment page's ?card= parameter.
const (
	cardMissing = "missing"
	cardExpired = "expired"
	cardInvalid = "invalid"
)

// sealCard seals a card for the session: only this session can open it, and
// only for CardLifetime.
func (h *handlers) sealCard(card forms.Card, sessionID string, now time.Time) (string, error) {
	tok, err := h.cards.Seal(card.Encode(), sessionID, now.Add(CardLifetime))
	if err != nil {
		return "", fmt.Errorf("seal card: %w", err)
	}
	return tok, nil
}

// openCard opens a card token sealed for the session. The error is a
// forms.EInvalid error whose message explains, for the payment page, why
// the card must be entered again; reason is cardMissing, cardExpired or
// cardInvalid.
func (h *handlers) openCard(token, sessionID string, now time.Time) (card forms.Card, reason string, err error) {
	if token == "" {
		return forms.Card{}, cardMissing, forms.Errorf(forms.EInvalid, "%s", cardReasonMessage(cardMissing))
	}
	b, err := h.cards.Open(token, sessionID, now)
	switch {
	case errors.Is(err, seal.ErrExpired):
		return forms.Card{}, cardExpired, forms.Errorf(forms.EInvalid, "%s", cardReasonMessage(cardExpired))
	case err != nil:
		return forms.Card{}, cardInvalid, forms.Errorf(forms.EInvalid, "%s", cardReasonMessage(cardInvalid))
	}
	card, err = forms.DecodeCard(b)
	if err != nil {
		return forms.Card{}, cardInvalid, forms.Errorf(forms.EInvalid, "%s", cardReasonMessage(cardInvalid))
	}
	return card, "", nil
}

// cardReasonMessage is the payment page's notice for a card that must be
// entered again.
func cardReasonMessage(reason string) string {
	switch reason {
	case cardExpired:
		return "For your security, card details are kept for 20 minutes only. Please enter your card again."
	case cardInvalid:
		return "We couldn't read your card details. Please enter your card again."
	case cardMissing:
		return "Please enter your card details again: they are kept only in this browser for a short time."
	}
	return ""
}

// setCardCookie hands the sealed card to the browser for the redirect to
// the summary: HttpOnly, for this wizard only, gone after CardLifetime.
func setCardCookie(c *fiber.Ctx, slug, token string) {
	c.Cookie(&fiber.Cookie{
		Name:     CardCookie,
		Value:    token,
		Path:     wizardPath(slug),
		MaxAge:   int(CardLifetime / time.Second),
		HTTPOnly: true,
		Secure:   web.Secure(c),
		SameSite: fiber.CookieSameSiteLaxMode,
	})
}
