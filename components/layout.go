package components

import "strings"

func pageTitle(p Page) string {
	switch {
	case p.Title == "":
		return p.Brand.CompanyTitle
	case p.Brand.CompanyTitle == "":
		return p.Title
	}
	return p.Title + " – " + p.Brand.CompanyTitle
}

// initial is the first letter of the company title, the logo's stand-in.
func initial(title string) string {
	for _, r := range title {
		return strings.ToUpper(string(r))
	}
	return "?"
}

// currentStep is the 1-based number of the current step, or 1 if none is.
func currentStep(steps []StepVM) int {
	for i, s := range steps {
		if s.State == StepCurrent {
			return i + 1
		}
	}
	return 1
}
