// Package portaswitch is websignup's client for the PortaSwitch
// (PortaBilling) JSON API, as described in ../shared/portaswitch-api.md.
//
// # Using it
//
//	c, err := portaswitch.New(portaswitch.Config{
//		BaseURL: "https://pbx.example.com", // or sim.Server.URL
//		Login:   "signup-api", Password: secret,
//		Logger:  logger,
//	})
//	products, err := c.GetProductList(ctx, portaswitch.GetProductListRequest{})
//
// Every call is POST {BaseURL}/rest/{Service}/{method} with a JSON body
// {"params": {...}} and "Authorization: Bearer <access_token>". The client
// logs in lazily on the first call; when a call answers one of the
// session-expired faults it refreshes the token (or logs in again) once and
// repeats the call once, never more. It is safe for concurrent use.
//
// # Realms
//
// A Client talks to one realm as one user; the realm is chosen by BaseURL.
// On a real server each realm has its own port (admin 443, reseller 8442,
// customer 8444, account 8445). On the simulator (package sim) one handler
// serves them all: the admin realm at the base URL, the account realm under
// the "/account" path prefix (sim.Server.AccountURL). Self-care uses a
// second Client in the account realm with the end user's web login:
//
//	acct, _ := portaswitch.New(portaswitch.Config{BaseURL: accountURL, Login: webLogin, Password: pw})
//	res, err := acct.Login(ctx)          // res.MustChangePassword()
//	err = acct.ChangePassword(ctx, pw, newPw)
//	info, err := acct.GetAccountInfo(ctx, portaswitch.GetAccountInfoRequest{}) // own account
//
// Tokens (Client.Tokens) can be kept and handed to a later Client through
// Config.AccessToken/RefreshToken, so a web session need not keep the
// password.
//
// # Errors
//
// A *Fault means PortaSwitch answered HTTP 500 with a faultcode: the call did
// not take effect. Helpers classify it (IsAuthFailed, IsSessionExpired,
// IsDuplicateID, IsNotFound, IsDuplicate, IsDeclined,
// IsPasswordChangeRequired, FaultCode). A *TransportError (timeout, refused
// or dropped connection, HTTP status other than 200/500, a body that is not
// JSON) means the outcome is unknown: the call may have happened. Reads
// (get_*, ping, login) are retried automatically on transport errors, a
// bounded number of times with a doubling backoff; writes never are, so the
// caller looks before repeating one (e.g. GetTransactionList by
// internal_comment before charging again, GetAccountInfo by id after
// IsDuplicateID).
//
// # Money
//
// PortaSwitch sends money as decimal major units (14.95). The client's types
// hold int64 minor units of the object's ISO 4217 currency (1495 USD, 1495
// JPY, 1.495 BHD = 1495), converted exactly from the JSON number's text
// (ParseAmount, FormatAmount, CurrencyExponent), never through float64.
// A fee with more decimals than its currency allows is an error rather than
// silently rounded; balances, which may carry sub-cent precision, are
// rounded half away from zero.
//
// # Secrets
//
// Passwords, tokens, session ids, card numbers and CVVs never reach a log:
// each call is logged at Debug (Warn for transport errors) as one line with
// the method, outcome, duration and params passed through RedactJSON; fault
// strings and error texts pass through RedactString. PaymentMethodInfo
// prints masked.
//
// # Inferred calls
//
// Calls whose shape the contract marks as inferred (subscriptions, vendor
// batches, device types and devices, payment method, transactions, password
// change) are in inferred.go, each in one small function, so an installation
// can adapt them to its server's API reference (/doc/api/ on every
// PortaBilling server).
package portaswitch
