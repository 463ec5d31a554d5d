// Package provision turns a completed signup into a provisioned PortaSwitch
// subscriber, exactly once.
//
// A Job holds everything needed to provision (a snapshot of the submission:
// customer attributes, product, charge, number, device, reseller) and the
// record of what it has done so far. A Runner executes the job's steps in the
// order of the contract (../shared/portaswitch-api.md):
//
//  1. customer under the form's reseller, named from the job's Reference
//  2. payment method (needs the card)
//  3. one E-Commerce Payment of exactly the job's amount, with the Reference
//     in internal_comment
//  4. number assigned to the customer
//  5. account with id = the number, web login and generated passwords
//  6. number assigned to the account
//  7. a free device of the chosen type assigned to the account (not for BYOD)
//
// Before each remote call that a resumed run could not otherwise tell
// apart from one never made (the customer, the charge, the account, the
// device), the runner records its intent in the Store, durably; every result
// is durable before the next such call and before the run ends. A step whose
// intent is recorded but whose result is not (a crash, a dropped connection)
// is resolved by looking up before acting again: the customer by its derived
// name, the charge by the Reference in the transaction list, the account by
// its id, the device by the account. The other calls are repeatable: every
// run looks the number up before assigning it, and the payment method is
// replaced, so their intents are written with the next write (Runner.call).
//
// The charge is never repeated once it may have happened: if a lookup cannot
// find it, the job goes to StatusNeedsReview for an operator. A declined card
// or a failed authorisation removes the customer the job created
// (StatusDeclined). A job that needs the card after a crash cannot get it (the
// card lives only in the Sign up request): it undoes what it created and ends
// in StatusCardNeeded. After the charge nothing is ever undone; failures are
// retried with exponential backoff (StatusRetrying) by a Worker, which claims
// due jobs through a Claimer with a lease so a job runs on one worker at a
// time.
//
// The package imports forms and the standard library only. It declares the
// small interfaces it needs: Store and Claimer (implemented by storage) and
// PortaSwitch (implemented by provision/psport over the portaswitch client).
// Errors from PortaSwitch are classified by that adapter into
// ErrUnknownOutcome, *Declined, ErrDuplicate and ErrNotFound; anything else
// means PortaSwitch refused the call.
package provision
