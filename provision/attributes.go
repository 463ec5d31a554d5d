package provision

import (
	"sort"
	"strings"
)

// CustomerKeys are the PortaSwitch customer_info attributes a form field may
// map to directly. Any other answer key is custom and goes into the
// customer's note.
var CustomerKeys = map[string]bool{
	"firstname": true, "lastname": true, "companyname": true, "email": true,
	"baddr1": true, "address_line_2": true, "city": true, "state": true, "zip": true,
	"country": true, "phone1": true, "phone2": true, "fax": true, "salutation": true,
	"midinit": true, "cont1": true, "cont2": true, "i_lang": true, "i_time_zone": true,
}

// CustomerAttributes turns a prospect's answers (field key → value) into
// PortaSwitch customer attributes for Order.Customer: known keys are kept,
// empty answers dropped, and custom keys written into "note" as
// "key: value" lines in key order.
func CustomerAttributes(answers map[string]string) map[string]string {
	out := make(map[string]string)
	var custom []string
	for k, v := range answers {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if CustomerKeys[k] {
			out[k] = v
		} else {
			custom = append(custom, k+": "+v)
		}
	}
	if len(custom) > 0 {
		sort.Strings(custom)
		out["note"] = strings.Join(custom, "\n")
	}
	return out
}
