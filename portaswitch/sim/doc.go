// Package sim is a simulated PortaSwitch (PortaBilling) API server, faithful
// to ../shared/portaswitch-api.md, so that websignup can be developed,
// demonstrated and tested without a real one, including the faults that make
// exactly-once provisioning hard.
//
// # Serving
//
// A *Sim (from New) is an http.Handler. cmd/portasim serves it on its own;
// websignup with no PORTASWITCH_URL calls Start, which serves it on a
// loopback port and returns its URLs, and then talks to it through the real
// client over HTTP. Routes:
//
//	POST /rest/{Service}/{method}          admin realm (also /admin/rest/...)
//	POST /account/rest/{Service}/{method}  account realm (the end user's web login)
//	GET  /sim/state                        customers, accounts, numbers, devices, transactions
//	POST /sim/reset                        restore the seed, drop sessions and faults
//	GET|POST|DELETE /sim/faults            list, add (JSON, see FaultRule), clear injected faults
//
// A real server gives each realm its own port; one handler serves them all
// here, so the realm is chosen by the path prefix: the account-realm base URL
// is the simulator's base URL + AccountPrefix ("/account").
//
// Both parameter styles are accepted: a JSON body {"params": {...}} with
// "Authorization: Bearer <access_token>", and form fields (urlencoded or
// multipart) "auth_info" (a JSON string with "session_id" or "access_token",
// or "login" and "password") and "params" (a JSON string). Answers are HTTP
// 200 with a JSON object, or HTTP 500 with {"faultcode", "faultstring"}.
// Integers may be sent as JSON numbers or numeric strings; money as a decimal
// number or string in the currency's major units, read exactly.
//
// # Realms and sessions
//
// The admin realm's API user is Options.Login/Password (default admin/admin).
// In the account realm an end user logs in with an account's web login and
// password. An account created or updated with a web password is marked
// must-change: Session/login answers password_change_required "Y", every
// other account-realm call except Account/change_password gets
// Server.Session.password_change_required, and Account/change_password
// ({old_password, new_password}) clears the mark. The account realm offers
// only Session/*, Account/get_account_info (its own account, no params) and
// Account/change_password.
//
// Access tokens live Options.TokenTTL (default 30 minutes); an expired one
// gets Server.Session.check_auth.auth_failed, an unknown one
// Client.Session.check_auth.failed_to_process_access_token. Refresh tokens
// live Options.RefreshTTL and stay the same across refreshes. Sessions are not
// saved to the state file: a restarted simulator asks clients to log in again.
//
// # Behaviour where the contract is silent
//
//   - All calls run under one lock, so they are serialisable: a number
//     assigned to two customers at once goes to one, the other gets
//     Server.DID.already_assigned.
//   - Uniqueness: customer name (case-insensitive) and login, account id and
//     login are unique among open (bill_status "O") records; closed ones
//     (bill_status "C") stay in the state and free their keys.
//   - Repeating a call that already took effect is harmless where that is
//     natural: assigning a number or device to the customer/account that has
//     it, terminating a closed customer or account, releasing a free number
//     all answer success.
//   - terminate_customer closes the customer's accounts, frees their devices
//     and releases its numbers. terminate_account frees its devices and takes
//     its numbers off the account (and off the customer with
//     release_assigned_did "Y").
//   - Web passwords are stored salted and hashed, never returned; the SIP
//     password (h323_password) is generated when not given and is returned,
//     as PortaBilling does.
//   - Balances: payments add, charges and refunds subtract; "Authorization
//     Only" leaves the balance and records status "authorized".
//   - Transactions are recorded with status "completed", "authorized" or
//     "declined" (a declined charge is recorded and answers a fault).
//
// # Test cards
//
// update_payment_method accepts any Luhn-valid number with a future expiry;
// it keeps only the brand, last four digits and expiry, never the number or
// CVV, and never logs them.
//
//	4242424242424242, 5555555555554444  approved (as is any other valid number)
//	4000000000000002                    stored, then declined at make_transaction
//	4000000000000069                    fails the authorisation check at update_payment_method
//
// # Fault codes
//
// Besides the contract's Server.Session.auth_failed,
// Server.Session.check_auth.auth_failed,
// Client.Session.check_auth.failed_to_process_access_token,
// Server.Account.duplicate_id and Server.Session.password_change_required,
// the simulator invents:
//
//	Client.Request.malformed                 body is not JSON/form, params not an object, not POST
//	Client.Request.unknown_method            no such Service/method
//	Client.Request.missing_parameter         a required key is absent
//	Client.Request.invalid_parameter         a key has the wrong type or an invalid value
//	Server.Session.forbidden                 method not available in this realm
//	Server.Customer.not_found                unknown i_customer/name/login
//	Server.Customer.terminated               the customer is closed
//	Server.Customer.duplicate_name           add/update_customer with a taken name
//	Server.Customer.duplicate_login          add/update_customer with a taken login
//	Server.Customer.parent_not_found         i_parent is not an open customer
//	Server.Customer.no_payment_method        card transaction without a stored card
//	Server.Account.not_found                 unknown i_account/id/login
//	Server.Account.terminated                the account is closed
//	Server.Account.duplicate_login           web login taken
//	Server.Account.currency_mismatch         product currency differs from the customer's
//	Server.Account.wrong_password            change_password with a wrong old_password
//	Client.Account.invalid_password          web password not 6-32 letters and digits
//	Server.Product.not_found                 unknown i_product
//	Server.DID.not_found                     unknown i_did_number
//	Server.DID.batch_not_found               unknown i_dv_batch
//	Server.DID.already_assigned              number on another customer or account
//	Server.DID.in_use                        release of a number still on an open account
//	Server.DID.frozen                        number is frozen
//	Server.UA.not_found                      unknown i_ua
//	Server.UA.type_not_found                 unknown i_ua_type
//	Server.UA.already_assigned               device on another account
//	Server.UA.not_assigned                   release_ua of a device not on that account
//	Client.PaymentMethod.invalid_card_number number fails length or Luhn check
//	Client.PaymentMethod.card_expired        exp_date in the past
//	Client.PaymentMethod.invalid_cvv         cvv not 3-4 digits
//	Server.PaymentMethod.authorization_failed the card failed the authorisation check
//	Server.Payment.declined                  the charge was declined
//	Server.Sim.injected_fault                default code of an injected fault
//	Server.Sim.internal_error                a simulator bug (never expected)
//
// # Seed
//
// See Seed: the reseller i_customer 1 "Demo Reseller"; products 1-3 ("Home
// Basic" 9.95+14.95/month, "Home Unlimited" 9.95+24.95, "Business Pro"
// 19.95+39.95, USD); number pools i_dv_batch 1 "Seattle (206/425)" and 2
// "Chicago (312/773)" with 220 deterministic 11-digit numbers each; device
// types i_ua_type 1 Yealink T31P, 2 Grandstream GRP2602, 3 Polycom VVX 150
// with 6 free devices each.
package sim
