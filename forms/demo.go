package forms

// DemoSlug is the slug of the demo form that `websignup seed-demo` creates.
const DemoSlug = "demo"

// DemoConfig returns the configuration of the demo form: a fictional operator
// whose plans, number pools and IP phones are the ones the PortaSwitch
// simulator seeds (portaswitch/sim), so that the demo signs up for real
// against it. A test in cmd/websignup checks that the two agree.
func DemoConfig() Config {
	return Config{
		Branding: Branding{
			CompanyTitle:     "Northwind Telecom",
			PrimaryColor:     "#0b5fff",
			AccentColor:      "#00a88f",
			BackgroundColor:  "#f5f7fb",
			TextColor:        "#1b2430",
			SubscriptionText: "Crystal-clear calling over your internet connection. Keep your plan month to month, cancel any time, and get a local number today.",
			TermsURL:         "https://example.com/northwind/terms",
			SupportEmail:     "support@northwind.example",
			SupportPhone:     "+1 206 555 0100",
		},
		Fields: []Field{
			{Key: "firstname", Kind: KindText, Label: "First name", Required: true, MaxLength: 40},
			{Key: "lastname", Kind: KindText, Label: "Last name", Required: true, MaxLength: 40},
			{Key: "companyname", Kind: KindText, Label: "Company", Help: "Only if you sign up for a business.", MaxLength: 80},
			{Key: "email", Kind: KindEmail, Label: "Email", Help: "We send your receipt and account details here.", Required: true, MaxLength: 120},
			{Key: "phone1", Kind: KindTel, Label: "Contact phone", Help: "A number we can reach you on today.", Required: true},
			{Key: "baddr1", Kind: KindText, Label: "Street address", Required: true, MaxLength: 120},
			{Key: "city", Kind: KindText, Label: "City", Required: true, MaxLength: 60},
			{Key: "state", Kind: KindText, Label: "State or province", Required: true, MaxLength: 40},
			{Key: "zip", Kind: KindText, Label: "Postcode", Required: true, MaxLength: 10,
				Pattern: `[A-Za-z0-9][A-Za-z0-9 -]{1,8}[A-Za-z0-9]`},
			{Key: "country", Kind: KindCountry, Label: "Country", Required: true},
		},
		Products: []Product{
			{IProduct: 1, Name: "Home Basic", Description: "Unlimited local calls, voicemail and caller ID.",
				Currency: "USD", ActivationFee: 995, RecurringFee: 1495, Period: "month"},
			{IProduct: 2, Name: "Home Unlimited", Description: "Unlimited calls across North America, voicemail to email, call forwarding.",
				Currency: "USD", ActivationFee: 995, RecurringFee: 2495, Period: "month"},
			{IProduct: 3, Name: "Business Pro", Description: "Unlimited North America, auto attendant, call recording and priority support.",
				Currency: "USD", ActivationFee: 1995, RecurringFee: 3995, Period: "month"},
		},
		Pools: []Pool{
			{IDVBatch: 1, Name: "Seattle (206 and 425)"},
			{IDVBatch: 2, Name: "Chicago (312 and 773)"},
		},
		Devices: []Device{
			{IUAType: 1, Name: "Yealink T31P", Description: "Two-line desk phone with a clear backlit display.", Price: 4900},
			{IUAType: 2, Name: "Grandstream GRP2602", Description: "Four-line phone with dual Gigabit ports.", Price: 6900},
			{IUAType: 3, Name: "Polycom VVX 150", Description: "Compact business phone with HD voice.", Price: 7900},
		},
		AllowBYOD: true,
		IParent:   1,
	}
}
