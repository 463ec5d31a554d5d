package provision_test

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"websignup/provision"
)

// fault is what the fake does to one call of a method.
type fault int

const (
	dropBefore fault = iota + 1 // not applied; ErrUnknownOutcome
	dropAfter                   // applied; ErrUnknownOutcome
	refuse                      // a PortaSwitch fault; not applied
)

// Test cards, as the simulator knows them.
const (
	cardOK       = "4242424242424242"
	cardDeclined = "4000000000000002"
	cardAuthFail = "4000000000000069"
)

type fakeCustomer struct {
	name       string
	terminated bool
	card       string // last four only
	cardNumber string
}

type fakeNumber struct {
	iDid      int64
	iCustomer int64
	iAccount  int64
}

type fakeAccount struct {
	iAccount, iCustomer int64
	id, login, password string
}

type fakeDevice struct {
	iUAType, iAccount int64
}

type fakeCharge struct {
	iCustomer int64
	amount    int64
	currency  string
	reference string
}

// fakePS is a small in-memory PortaSwitch with fault injection per method.
type fakePS struct {
	mu        sync.Mutex
	nextID    int64
	customers map[int64]*fakeCustomer
	numbers   map[string]*fakeNumber
	accounts  map[string]*fakeAccount
	devices   map[int64]*fakeDevice
	charges   []fakeCharge       // successful
	declined  []fakeCharge       // declined
	faults    map[string][]fault // consumed one per call
	calls     map[string]int
	// errText, if set, is returned as the text of refusals (to test that
	// the runner masks a card number an adapter leaked).
	errText string
}

var _ provision.PortaSwitch = (*fakePS)(nil)

func newFakePS() *fakePS {
	return &fakePS{
		nextID:    1000,
		customers: map[int64]*fakeCustomer{},
		numbers: map[string]*fakeNumber{
			"16045550100": {iDid: 100},
			"16045550101": {iDid: 101},
			"16045550199": {iDid: 199, iCustomer: 7}, // someone else's
		},
		accounts: map[string]*fakeAccount{},
		devices:  map[int64]*fakeDevice{501: {iUAType: 1}, 502: {iUAType: 1}, 601: {iUAType: 2}},
		faults:   map[string][]fault{},
		calls:    map[string]int{},
	}
}

func (f *fakePS) inject(method string, faults ...fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[method] = append(f.faults[method], faults...)
}

// begin locks and returns the fault for this call of method, if any.
func (f *fakePS) begin(method string) fault {
	f.mu.Lock()
	f.calls[method]++
	q := f.faults[method]
	if len(q) == 0 {
		return 0
	}
	f.faults[method] = q[1:]
	return q[0]
}

func (f *fakePS) refusal(method string) error {
	if f.errText != "" {
		return errors.New(f.errText)
	}
	return fmt.Errorf("Server.%s.refused: refused by the fake", method)
}

// run applies do unless the fault says otherwise. f.mu is held.
func (f *fakePS) run(method string, ft fault, do func() (int64, error)) (int64, error) {
	defer f.mu.Unlock()
	switch ft {
	case dropBefore:
		return 0, fmt.Errorf("%s: connection reset: %w", method, provision.ErrUnknownOutcome)
	case refuse:
		return 0, f.refusal(method)
	}
	id, err := do()
	if err == nil && ft == dropAfter {
		return 0, fmt.Errorf("%s: connection reset after apply: %w", method, provision.ErrUnknownOutcome)
	}
	return id, err
}

func (f *fakePS) id() int64 { f.nextID++; return f.nextID }

func (f *fakePS) FindCustomerByName(_ context.Context, name string) (int64, error) {
	return f.run("FindCustomerByName", f.begin("FindCustomerByName"), func() (int64, error) {
		for id, c := range f.customers {
			if c.name == name && !c.terminated {
				return id, nil
			}
		}
		return 0, provision.ErrNotFound
	})
}

func (f *fakePS) AddCustomer(_ context.Context, c provision.NewCustomer) (int64, error) {
	return f.run("AddCustomer", f.begin("AddCustomer"), func() (int64, error) {
		for _, o := range f.customers {
			if o.name == c.Name {
				return 0, fmt.Errorf("Server.Customer.duplicate_name: %w", provision.ErrDuplicate)
			}
		}
		id := f.id()
		f.customers[id] = &fakeCustomer{name: c.Name}
		return id, nil
	})
}

func (f *fakePS) TerminateCustomer(_ context.Context, iCustomer int64) error {
	_, err := f.run("TerminateCustomer", f.begin("TerminateCustomer"), func() (int64, error) {
		c, ok := f.customers[iCustomer]
		if !ok || c.terminated {
			return 0, errors.New("Server.Customer.not_found: no such customer")
		}
		c.terminated = true
		return 0, nil
	})
	return err
}

func (f *fakePS) AddPaymentMethod(_ context.Context, iCustomer int64, card provision.Card) (int64, error) {
	return f.run("AddPaymentMethod", f.begin("AddPaymentMethod"), func() (int64, error) {
		c, ok := f.customers[iCustomer]
		if !ok || c.terminated {
			return 0, errors.New("Server.Customer.not_found: no such customer")
		}
		if card.Number == cardAuthFail {
			return 0, &provision.Declined{Reason: "Your card could not be authorised."}
		}
		c.card, c.cardNumber = card.Last4(), card.Number
		return 7000 + iCustomer, nil
	})
}

func (f *fakePS) Charge(_ context.Context, ch provision.NewCharge) (int64, error) {
	return f.run("Charge", f.begin("Charge"), func() (int64, error) {
		c, ok := f.customers[ch.ICustomer]
		if !ok || c.terminated || c.cardNumber == "" {
			return 0, errors.New("Server.Customer.no_payment_method: cannot charge")
		}
		if c.cardNumber == cardDeclined {
			f.declined = append(f.declined, fakeCharge{ch.ICustomer, ch.Amount.Amount, ch.Amount.Currency, ch.Reference})
			if ft := f.faults["Charge:declined"]; len(ft) > 0 { // the decline's answer is lost
				f.faults["Charge:declined"] = ft[1:]
				return 0, fmt.Errorf("Charge: connection reset after decline: %w", provision.ErrUnknownOutcome)
			}
			return 0, &provision.Declined{Reason: "Your card was declined by your bank."}
		}
		f.charges = append(f.charges, fakeCharge{ch.ICustomer, ch.Amount.Amount, ch.Amount.Currency, ch.Reference})
		return int64(9000 + len(f.charges)), nil
	})
}

func (f *fakePS) FindCharge(_ context.Context, iCustomer int64, reference string) (int64, error) {
	return f.run("FindCharge", f.begin("FindCharge"), func() (int64, error) {
		for i, c := range f.charges {
			if c.iCustomer == iCustomer && c.reference == reference {
				return int64(9000 + i + 1), nil
			}
		}
		for _, c := range f.declined {
			if c.iCustomer == iCustomer && c.reference == reference {
				return 0, &provision.Declined{Reason: "Your card was declined by your bank."}
			}
		}
		return 0, provision.ErrNotFound
	})
}

func (f *fakePS) FindNumber(_ context.Context, number string) (provision.NumberInfo, error) {
	var info provision.NumberInfo
	_, err := f.run("FindNumber", f.begin("FindNumber"), func() (int64, error) {
		n, ok := f.numbers[number]
		if !ok {
			return 0, provision.ErrNotFound
		}
		info = provision.NumberInfo{IDidNumber: n.iDid, Number: number, ICustomer: n.iCustomer, IAccount: n.iAccount}
		return 0, nil
	})
	return info, err
}

func (f *fakePS) numberByID(iDid int64) *fakeNumber {
	for _, n := range f.numbers {
		if n.iDid == iDid {
			return n
		}
	}
	return nil
}

func (f *fakePS) AssignNumber(_ context.Context, iCustomer, iDidNumber int64) error {
	_, err := f.run("AssignNumber", f.begin("AssignNumber"), func() (int64, error) {
		n := f.numberByID(iDidNumber)
		if n == nil || n.iCustomer != 0 {
			return 0, errors.New("Server.DID.not_available: number not available")
		}
		n.iCustomer = iCustomer
		return 0, nil
	})
	return err
}

func (f *fakePS) AddAccount(_ context.Context, a provision.NewAccount) (int64, error) {
	return f.run("AddAccount", f.begin("AddAccount"), func() (int64, error) {
		if _, ok := f.accounts[a.ID]; ok {
			return 0, fmt.Errorf("Server.Account.duplicate_id: %w", provision.ErrDuplicate)
		}
		id := f.id()
		f.accounts[a.ID] = &fakeAccount{iAccount: id, iCustomer: a.ICustomer, id: a.ID, login: a.Login, password: a.Password}
		return id, nil
	})
}

func (f *fakePS) FindAccountByID(_ context.Context, id string) (provision.AccountInfo, error) {
	var info provision.AccountInfo
	_, err := f.run("FindAccountByID", f.begin("FindAccountByID"), func() (int64, error) {
		a, ok := f.accounts[id]
		if !ok {
			return 0, provision.ErrNotFound
		}
		info = provision.AccountInfo{IAccount: a.iAccount, ICustomer: a.iCustomer, ID: a.id}
		return 0, nil
	})
	return info, err
}

func (f *fakePS) AssignNumberToAccount(_ context.Context, iDidNumber, iAccount int64) error {
	_, err := f.run("AssignNumberToAccount", f.begin("AssignNumberToAccount"), func() (int64, error) {
		n := f.numberByID(iDidNumber)
		if n == nil || n.iAccount != 0 {
			return 0, errors.New("Server.DID.not_available: number not available")
		}
		n.iAccount = iAccount
		return 0, nil
	})
	return err
}

func (f *fakePS) FindFreeDevice(_ context.Context, iUAType int64) (int64, error) {
	return f.run("FindFreeDevice", f.begin("FindFreeDevice"), func() (int64, error) {
		best := int64(0)
		for id, d := range f.devices {
			if d.iUAType == iUAType && d.iAccount == 0 && (best == 0 || id < best) {
				best = id
			}
		}
		if best == 0 {
			return 0, provision.ErrNotFound
		}
		return best, nil
	})
}

func (f *fakePS) AssignDevice(_ context.Context, iAccount, iUA int64) error {
	_, err := f.run("AssignDevice", f.begin("AssignDevice"), func() (int64, error) {
		d, ok := f.devices[iUA]
		if !ok || d.iAccount != 0 {
			return 0, errors.New("Server.UA.in_use: device in use")
		}
		d.iAccount = iAccount
		return 0, nil
	})
	return err
}

func (f *fakePS) FindDeviceOnAccount(_ context.Context, iAccount int64) (int64, error) {
	return f.run("FindDeviceOnAccount", f.begin("FindDeviceOnAccount"), func() (int64, error) {
		for id, d := range f.devices {
			if d.iAccount == iAccount {
				return id, nil
			}
		}
		return 0, provision.ErrNotFound
	})
}

// chargesFor returns the charges carrying reference.
func (f *fakePS) chargesFor(reference string) []fakeCharge {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCharge
	for _, c := range f.charges {
		if c.reference == reference {
			out = append(out, c)
		}
	}
	return out
}

// activeCustomers counts the customers named name that are not terminated.
func (f *fakePS) activeCustomers(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.customers {
		if c.name == name && !c.terminated {
			n++
		}
	}
	return n
}
