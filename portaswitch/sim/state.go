package sim

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"websignup/portaswitch"
)

// The state's records use PortaSwitch's key names, so GET /sim/state, the
// API answers and the state file all read the same. Money is decimal text in
// major units (json.Number); secrets (web password hashes) live apart in
// db.Secrets so that no answer can carry them by accident.

// Customer is a customer record.
type Customer struct {
	ICustomer     int64          `json:"i_customer"`
	Name          string         `json:"name"`
	ISO4217       string         `json:"iso_4217"`
	IParent       int64          `json:"i_parent,omitempty"`
	CustomerType  string         `json:"customer_type,omitempty"`
	Firstname     string         `json:"firstname,omitempty"`
	Lastname      string         `json:"lastname,omitempty"`
	Companyname   string         `json:"companyname,omitempty"`
	Email         string         `json:"email,omitempty"`
	Baddr1        string         `json:"baddr1,omitempty"`
	AddressLine2  string         `json:"address_line_2,omitempty"`
	City          string         `json:"city,omitempty"`
	State         string         `json:"state,omitempty"`
	Zip           string         `json:"zip,omitempty"`
	Country       string         `json:"country,omitempty"`
	Phone1        string         `json:"phone1,omitempty"`
	Login         string         `json:"login,omitempty"`
	ILang         string         `json:"i_lang,omitempty"`
	ITimeZone     int64          `json:"i_time_zone,omitempty"`
	Note          string         `json:"note,omitempty"`
	BillStatus    string         `json:"bill_status"`
	Balance       json.Number    `json:"balance"`
	CreationDate  string         `json:"creation_date"`
	PaymentMethod *PaymentMethod `json:"payment_method_info,omitempty"`
}

// PaymentMethod is a stored card: brand, last four digits and expiry only.
// The full number and the CVV are never kept.
type PaymentMethod struct {
	IPaymentMethod int64  `json:"i_payment_method"`
	PaymentMethod  string `json:"payment_method"`
	Number         string `json:"number"` // masked: ************4242
	ExpDate        string `json:"exp_date"`
	Name           string `json:"name,omitempty"`
	// TestBehaviour is what the test card will do at make_transaction
	// ("approve" or "decline"); derived from the number when it was stored.
	TestBehaviour string `json:"test_behaviour"`
}

// Account is an account record.
type Account struct {
	IAccount               int64       `json:"i_account"`
	ICustomer              int64       `json:"i_customer"`
	IProduct               int64       `json:"i_product"`
	BillingModel           int64       `json:"billing_model"`
	ID                     string      `json:"id"`
	H323Password           string      `json:"h323_password,omitempty"`
	Login                  string      `json:"login,omitempty"`
	Firstname              string      `json:"firstname,omitempty"`
	Lastname               string      `json:"lastname,omitempty"`
	Email                  string      `json:"email,omitempty"`
	ActivationDate         string      `json:"activation_date"`
	ISO4217                string      `json:"iso_4217"`
	BillStatus             string      `json:"bill_status"`
	Balance                json.Number `json:"balance"`
	PasswordChangeRequired string      `json:"password_change_required"`
	CreationDate           string      `json:"creation_date"`
}

// Number is a DID number of a pool.
type Number struct {
	IDIDNumber    int64       `json:"i_did_number"`
	Number        string      `json:"number"`
	IDVBatch      int64       `json:"i_dv_batch"`
	ActivationFee json.Number `json:"activation_fee"`
	PeriodicFee   json.Number `json:"periodic_fee"`
	ISO4217       string      `json:"iso_4217"`
	CountryISO    string      `json:"country_iso"`
	Frozen        string      `json:"frozen"`
	ICustomer     int64       `json:"i_customer,omitempty"`
	IAccount      int64       `json:"i_account,omitempty"`
}

// Device is an IP phone (UA).
type Device struct {
	IUA         int64  `json:"i_ua"`
	Name        string `json:"name"`
	MAC         string `json:"mac"`
	InventoryID string `json:"inventory_id"`
	Description string `json:"description,omitempty"`
	IUAType     int64  `json:"i_ua_type"`
	ICustomer   int64  `json:"i_customer,omitempty"`
	IAccount    int64  `json:"i_account,omitempty"`
	Port        int64  `json:"port,omitempty"`
	Used        string `json:"used"`
}

// Transaction is a payment transaction, declined ones included.
type Transaction struct {
	IPaymentTransaction int64       `json:"i_payment_transaction"`
	ICustomer           int64       `json:"i_customer"`
	Action              string      `json:"action"`
	Amount              json.Number `json:"amount"`
	ISO4217             string      `json:"iso_4217"`
	VisibleComment      string      `json:"visible_comment,omitempty"`
	InternalComment     string      `json:"internal_comment,omitempty"`
	Status              string      `json:"status"`
	TransactionID       string      `json:"transaction_id"`
	PaymentMethod       string      `json:"payment_method,omitempty"` // "VISA ************4242"
	Timestamp           string      `json:"timestamp"`
}

// Product is a catalogue product.
type Product struct {
	IProduct           int64  `json:"i_product"`
	Name               string `json:"name"`
	EndUserName        string `json:"end_user_name"`
	EndUserDescription string `json:"end_user_description"`
	ISO4217            string `json:"iso_4217"`
	Hidden             string `json:"hidden"`
	ISubscription      int64  `json:"i_subscription"`
}

// Subscription holds a product's fees.
type Subscription struct {
	ISubscription  int64       `json:"i_subscription"`
	Name           string      `json:"name"`
	ISO4217        string      `json:"iso_4217"`
	ActivationFee  json.Number `json:"activation_fee"`
	Fee            json.Number `json:"fee"`
	IBillingPeriod int64       `json:"i_billing_period"`
}

// Batch is a number pool (DID vendor batch).
type Batch struct {
	IDVBatch int64  `json:"i_dv_batch"`
	Name     string `json:"name"`
}

// UAType is an IP phone model.
type UAType struct {
	IUAType      int64  `json:"i_ua_type"`
	Name         string `json:"name"`
	Manufacturer string `json:"manufacturer"`
	Model        string `json:"model"`
}

// db is the whole simulated database; s.mu guards it.
type db struct {
	Customers     []*Customer       `json:"customers"`
	Accounts      []*Account        `json:"accounts"`
	Numbers       []*Number         `json:"numbers"`
	Devices       []*Device         `json:"devices"`
	Transactions  []*Transaction    `json:"transactions"`
	Products      []Product         `json:"products"`
	Subscriptions []Subscription    `json:"subscriptions"`
	Batches       []Batch           `json:"batches"`
	UATypes       []UAType          `json:"ua_types"`
	Next          map[string]int64  `json:"next_ids"`
	Secrets       map[string]string `json:"secrets"` // "account:7" → salted password hash
}

// State is the snapshot GET /sim/state answers: every list uses
// PortaSwitch's key names; closed customers and accounts stay with
// bill_status "C".
type State struct {
	Customers    []Customer    `json:"customers"`
	Accounts     []Account     `json:"accounts"`
	Numbers      []Number      `json:"numbers"`
	Devices      []Device      `json:"devices"`
	Transactions []Transaction `json:"transactions"`
}

func (d *db) snapshot() State {
	st := State{
		Customers: make([]Customer, 0, len(d.Customers)), Accounts: make([]Account, 0, len(d.Accounts)),
		Numbers: make([]Number, 0, len(d.Numbers)), Devices: make([]Device, 0, len(d.Devices)),
		Transactions: make([]Transaction, 0, len(d.Transactions)),
	}
	for _, c := range d.Customers {
		cc := *c
		if c.PaymentMethod != nil {
			pm := *c.PaymentMethod
			cc.PaymentMethod = &pm
		}
		st.Customers = append(st.Customers, cc)
	}
	for _, a := range d.Accounts {
		st.Accounts = append(st.Accounts, *a)
	}
	for _, n := range d.Numbers {
		st.Numbers = append(st.Numbers, *n)
	}
	for _, v := range d.Devices {
		st.Devices = append(st.Devices, *v)
	}
	for _, t := range d.Transactions {
		st.Transactions = append(st.Transactions, *t)
	}
	return st
}

func (d *db) nextID(kind string) int64 {
	id := d.Next[kind]
	if id == 0 {
		id = 1
	}
	d.Next[kind] = id + 1
	return id
}

func money(minor int64, iso string) json.Number {
	return json.Number(portaswitch.FormatAmount(minor, iso))
}

func hashPassword(pw string) string {
	salt := make([]byte, 8)
	_, _ = rand.Read(salt)
	sum := sha256.Sum256(append(salt, pw...))
	return hex.EncodeToString(salt) + "$" + hex.EncodeToString(sum[:])
}

func checkPassword(stored, pw string) bool {
	saltHex, sumHex, ok := strings.Cut(stored, "$")
	if !ok {
		return false
	}
	salt, err1 := hex.DecodeString(saltHex)
	want, err2 := hex.DecodeString(sumHex)
	if err1 != nil || err2 != nil {
		return false
	}
	got := sha256.Sum256(append(salt, pw...))
	return subtle.ConstantTimeCompare(got[:], want) == 1
}

// saveFile writes d to path atomically: a temporary file in the same folder,
// synced, then renamed over the old one, so a crash leaves either the old or
// the new state, never half of one.
func saveFile(path string, d *db) error {
	b, err := json.MarshalIndent(d, "", " ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".portasim-*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// loadFile reads a state file; a missing file gives (nil, nil).
func loadFile(path string) (*db, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var d db
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("sim: state file %s: %w", path, err)
	}
	if d.Next == nil {
		d.Next = map[string]int64{}
	}
	if d.Secrets == nil {
		d.Secrets = map[string]string{}
	}
	return &d, nil
}
