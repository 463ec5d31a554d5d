package admin

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"websignup/forms"
	"websignup/storage"
)

// csvHeader is the export's first row.
var csvHeader = []string{"id", "signed_up_at_utc", "status", "reference", "first_name", "last_name", "company",
	"email", "number", "plan", "device", "amount", "currency", "card", "form_version",
	"i_customer", "i_account", "i_payment_transaction", "last_error"}

// safeCell neutralises spreadsheet formula injection: a cell that starts
// with = + - @, a tab or a carriage return is prefixed with a single quote,
// so that a spreadsheet shows it as text instead of evaluating it.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// submissionsCSV exports every submission of the form matching the same
// filter as the list (all pages) as CSV, as an attachment. A filter with a
// bad date is refused (422), as the list shows it.
func (h *handlers) submissionsCSV(c *fiber.Ctx) error {
	f, _, err := h.loadSubForm(c, "submissions")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	_, sf, fe := readSubFilter(c, f.ID)
	if len(fe) > 0 {
		return forms.Errorf(forms.EInvalid, "The filter's dates are not valid; correct them on the submissions page.")
	}
	sf.All = true
	page, err := h.Store.Submissions().Submissions(ctx, tenantScope(c), sf)
	if err != nil {
		return fmt.Errorf("export submissions of form %d: %w", f.ID, err)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(csvHeader) // a bytes.Buffer never fails
	vc := h.subVersions(ctx)
	for _, s := range page.Submissions {
		v, err := vc.get(s.Job.VersionID)
		if err != nil {
			return err
		}
		_ = w.Write(csvRow(s, v))
	}
	w.Flush()
	name := fmt.Sprintf("submissions-%s-%s.csv", f.Slug, h.Now().UTC().Format("20060102-1504"))
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set("X-Content-Type-Options", "nosniff")
	return c.Status(fiber.StatusOK).Send(buf.Bytes())
}

func csvRow(s storage.Submission, v *forms.Version) []string {
	j := s.Job
	o := j.Order
	device := ""
	switch {
	case o.BYOD:
		device = "own phone"
	case o.IUAType != 0:
		device = strconv.FormatInt(o.IUAType, 10)
		if v != nil {
			if d, ok := v.Config.Device(o.IUAType); ok {
				device = d.Name
			}
		}
	}
	card := ""
	if s.CardLast4 != "" {
		card = s.CardBrand + " " + s.CardLast4
	}
	id := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	version := ""
	if s.VersionNumber > 0 {
		version = strconv.Itoa(s.VersionNumber)
	}
	row := []string{
		strconv.FormatInt(j.ID, 10), j.CreatedAt.UTC().Format(time.RFC3339), string(j.Status), j.Reference,
		o.Customer["firstname"], o.Customer["lastname"], o.Customer["companyname"], o.Customer["email"],
		o.Number, planName(v, o.IProduct), device, o.Charge.Decimal(), o.Charge.Currency, card, version,
		id(j.ICustomer), id(j.IAccount), id(j.ITransaction), j.LastError,
	}
	for i := range row {
		row[i] = safeCell(row[i])
	}
	return row
}
