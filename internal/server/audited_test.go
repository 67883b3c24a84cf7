package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/client"
	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/httpapi"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/testenv"
	"github.com/wardhq/ward/seed"
)

const testKey = "audit-test-key-0123456789"

// auditedWard serves Ward's API over an in-process SpiceDB, recording in
// ledger as `ward serve` does, with the demo practice loaded on behalf of
// user:olivia; it returns a client that presents testKey.
func auditedWard(t *testing.T, ledger audit.Ledger, alerts ...*audit.BulkAccess) *client.Client {
	t.Helper()
	return auditedWardWith(t, ledger, nil, alerts...)
}

// auditedWardWith is auditedWard sending notices to hook (nil for none).
func auditedWardWith(t *testing.T, ledger audit.Ledger, hook *audit.Webhook, alerts ...*audit.BulkAccess) *client.Client {
	t.Helper()
	c, _, _ := auditedWardParts(t, ledger, hook, alerts...)
	return c
}

// auditedWardParts is auditedWardWith with the Ward it serves and its
// recorder.
func auditedWardParts(t *testing.T, ledger audit.Ledger, hook *audit.Webhook, alerts ...*audit.BulkAccess) (*client.Client, testenv.Ward, *audit.Recorder) {
	t.Helper()
	rec := audit.NewRecorder(ledger)
	t.Cleanup(rec.Close)
	policy, err := DecisionPolicy(Config{})
	if err != nil {
		t.Fatal(err)
	}
	w := testenv.SpiceDB(t)
	a := newAudited(w, rec, policy, slog.New(slog.DiscardHandler))
	a.placeOf = service.NewPlatformKeys(w.Store).WorkspacesOf // as ward serve names decisions' practices
	if len(alerts) > 0 {
		a.alerts = alerts[0]
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if hook != nil {
		hook.Recorder = rec
		hook.Start(ctx)
		a.hook = hook
	}
	go a.explainGrants(ctx)
	srv := httptest.NewServer(httpapi.New(a, httpapi.Config{Audit: ledger, APIKeys: []string{testKey}}))
	t.Cleanup(srv.Close)
	return client.New(srv.URL, testKey, nil), w, rec
}

func loadDemoAs(t *testing.T, c *client.Client, actor string) error {
	t.Helper()
	raws, err := seed.DemoRaw()
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Apply(context.Background(), api.EventsRequest{Events: raws, Actor: actor})
	return err
}

func fileLedger(t *testing.T) *audit.File {
	t.Helper()
	l, err := audit.OpenFile(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// TestAuditRecordsWhoDidWhat: changes and clinical decisions land in the
// ledger with who asked, on whose behalf and why; checks outside the policy
// do not; a refused batch is recorded with its error; an allowed decision
// is followed by what granted it; and the chain verifies.
func TestAuditRecordsWhoDidWhat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := auditedWard(t, fileLedger(t))
	if err := loadDemoAs(t, c, "user:olivia"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []api.CheckRequest{
		{Subject: "user:priya", Permission: "view_notes", Resource: "client:ann", Purpose: "treatment"},
		{Subject: "user:alex", Permission: "view_notes", Resource: "client:ann"},
		{Subject: "user:alex", Permission: "view", Resource: "invoice:inv-ann-1"}, // not clinical: not recorded
	} {
		if _, err := c.Check(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CheckBulk(ctx, api.BulkCheckRequest{Purpose: "emergency", Checks: []api.BulkCheckItem{{Subject: "user:rita", Permission: "view_notes", Resource: "client:ben"}}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Apply(ctx, api.EventsRequest{Events: testenv.Events(t, `{"type":"staff.added","workspace":"riverside","user":"zed","role":"no_such_role"}`), Actor: "user:maya"})
	if err == nil {
		t.Fatal("a staff.added with an unknown role was applied")
	}

	account := httpapi.KeyAccount(testKey)
	page, err := c.Audit(ctx, api.AuditQuery{Client: "ann", Action: audit.KindDecision})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Records) != 2 {
		t.Fatalf("decisions on ann's record: %+v", page.Records)
	}
	priya, alex := page.Records[0], page.Records[1]
	if priya.Subject != "user:priya" || priya.Allowed == nil || !*priya.Allowed || priya.Purpose != "treatment" || priya.Account != account || priya.RequestID == "" || priya.ZedToken == "" || priya.Workspace != "riverside" {
		t.Errorf("priya's decision: %+v", priya)
	}
	if alex.Subject != "user:alex" || alex.Allowed == nil || *alex.Allowed {
		t.Errorf("alex's decision: %+v", alex)
	}
	if p, _ := c.Audit(ctx, api.AuditQuery{Action: "view", Client: ""}); len(p.Records) != 0 {
		t.Errorf("a check on an invoice was recorded: %+v", p.Records)
	}
	if p, _ := c.Audit(ctx, api.AuditQuery{Client: "ben", Action: audit.KindDecision}); len(p.Records) != 1 || p.Records[0].Purpose != "emergency" {
		t.Errorf("the bulk check's decision: %+v", p.Records)
	}
	if p, _ := c.Audit(ctx, api.AuditQuery{User: "olivia"}); len(p.Records) != 1 || p.Records[0].Kind != audit.KindEvents || p.Records[0].Workspace != "riverside" || !bytes.Contains(p.Records[0].Events, []byte(`"staff.added"`)) {
		t.Errorf("olivia's change: %+v", p.Records)
	}
	if p, _ := c.Audit(ctx, api.AuditQuery{User: "zed", Action: "staff.added"}); len(p.Records) != 1 || p.Records[0].Kind != audit.KindRefused || !strings.Contains(p.Records[0].Error, "no_such_role") {
		t.Errorf("zed's refused addition: %+v", p.Records)
	}

	// What granted priya's access comes after the answer.
	var grant *api.AuditRecord
	for deadline := time.Now().Add(10 * time.Second); grant == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		p, err := c.Audit(ctx, api.AuditQuery{Action: audit.KindGrant, User: "priya"})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Records) > 0 {
			grant = &p.Records[0]
		}
	}
	// It is the practice's, as its decision is: a key limited to the
	// practice reads its audit by workspace.
	if grant == nil || grant.Of != priya.Seq || !bytes.Contains(grant.Grant, []byte("practitioner")) || grant.Workspace != "riverside" || grant.Purpose != "treatment" {
		t.Fatalf("the grant of priya's decision #%d: %+v", priya.Seq, grant)
	}
	v, err := c.AuditVerify(ctx, 0, "")
	if err != nil || !v.OK || v.Records < 6 {
		t.Fatalf("verify: %+v, %v", v, err)
	}
}

// TestBreakGlassIsRecordedAndTheOwnerTold: an emergency opening lands in
// the ledger under its opener, client and actor, and the owner is told by
// a signed webhook carrying that record; the refused attempt and the
// review are recorded too, a resend tells no one again, and the review
// tells the opener and the owner.
func TestBreakGlassIsRecordedAndTheOwnerTold(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	secret := []byte("break-glass-webhook-secret")
	got := make(chan []byte, 10)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts, _, _ := strings.Cut(strings.TrimPrefix(r.Header.Get(audit.SignatureHeader), "t="), ",")
		unix, _ := strconv.ParseInt(ts, 10, 64)
		if r.Header.Get(audit.SignatureHeader) != audit.Sign(secret, time.Unix(unix, 0), body) {
			t.Errorf("webhook signature %q does not sign its body", r.Header.Get(audit.SignatureHeader))
		}
		got <- body
	}))
	t.Cleanup(receiver.Close)
	hook := &audit.Webhook{URL: receiver.URL, Secret: secret, Attempts: 2, Backoff: time.Millisecond, Client: receiver.Client(), Logger: slog.New(slog.DiscardHandler)}
	c := auditedWardWith(t, fileLedger(t), hook)
	if err := loadDemoAs(t, c, "user:olivia"); err != nil {
		t.Fatal(err)
	}
	open := `{"type":"break_glass.opened","workspace":"riverside","id":"bg1","user":"priya","client":"ben","reason":"collapsed in the waiting room","minutes":15}`
	if _, err := c.Apply(ctx, api.EventsRequest{Events: testenv.Events(t, `{"type":"break_glass.opened","workspace":"riverside","id":"bg0","user":"rita","client":"ben","reason":"curious"}`), Actor: "user:rita"}); err == nil {
		t.Fatal("rita, a receptionist, opened ben's record")
	}
	if _, err := c.Apply(ctx, api.EventsRequest{Events: testenv.Events(t, open), Actor: "user:priya"}); err != nil {
		t.Fatal(err)
	}
	select {
	case body := <-got:
		var n audit.Notice
		if err := json.Unmarshal(body, &n); err != nil || n.Type != "break_glass.opened" || !slices.Equal(n.Notify, []string{"olivia"}) ||
			n.Record.Actor != "user:priya" || n.Record.Workspace != "riverside" || !bytes.Contains(n.Record.Events, []byte("collapsed in the waiting room")) {
			t.Errorf("the owner's notice: %s", body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook told the owner of the opening")
	}
	if _, err := c.Apply(ctx, api.EventsRequest{Events: testenv.Events(t, open), Actor: "user:priya"}); err != nil {
		t.Fatal(err)
	}
	select {
	case body := <-got:
		t.Errorf("the opening sent again told someone: %s", body)
	case <-time.After(300 * time.Millisecond):
	}
	review := `{"type":"break_glass.reviewed","workspace":"riverside","id":"bg1","outcome":"justified","note":"confirmed with pete"}`
	if _, err := c.Apply(ctx, api.EventsRequest{Events: testenv.Events(t, review), Actor: "user:olivia"}); err != nil {
		t.Fatal(err)
	}
	p, err := c.Audit(ctx, api.AuditQuery{Client: "ben"})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, r := range p.Records {
		if bytes.Contains(r.Events, []byte("break_glass")) {
			kinds = append(kinds, r.Kind+" "+r.Actor)
		}
	}
	// The review names the opening only: its record names the client and the
	// opener too, so that ben's trail holds it.
	if want := []string{audit.KindRefused + " user:rita", audit.KindEvents + " user:priya", audit.KindEvents + " user:priya", audit.KindEvents + " user:olivia"}; !slices.Equal(kinds, want) {
		t.Errorf("ben's break-glass records: %v, want %v", kinds, want)
	}
	if p, _ := c.Audit(ctx, api.AuditQuery{Action: "break_glass.reviewed", User: "priya"}); len(p.Records) != 1 || !bytes.Contains(p.Records[0].Events, []byte("confirmed with pete")) {
		t.Errorf("the review's record: %+v", p.Records)
	}
	// The opener learns the outcome, and the owner.
	select {
	case body := <-got:
		var n audit.Notice
		if err := json.Unmarshal(body, &n); err != nil || n.Type != "break_glass.reviewed" || !slices.Equal(n.Notify, []string{"priya", "olivia"}) ||
			n.Event == nil || *n.Event != 0 || n.Record.Actor != "user:olivia" {
			t.Errorf("the review's notice: %s", body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook told of the review")
	}
}

// TestOwnershipClaimTellsTheOwner: the backup owner's claim of the
// ownership is sent, signed, naming the owner to tell, with its ledger
// record.
func TestOwnershipClaimTellsTheOwner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, got := demoWithWebhook(t)
	for _, step := range []struct{ event, actor string }{
		{`{"type":"backup_owner.designated","workspace":"riverside","user":"adam"}`, "user:olivia"},
		{`{"type":"ownership.claimed","workspace":"riverside","reason":"olivia is unreachable"}`, "user:adam"},
	} {
		if _, err := c.Apply(ctx, api.EventsRequest{Events: testenv.Events(t, step.event), Actor: step.actor}); err != nil {
			t.Fatal(err)
		}
	}
	var types []string
	for len(types) < 2 {
		select {
		case body := <-got:
			var n audit.Notice
			if err := json.Unmarshal(body, &n); err != nil {
				t.Fatal(err)
			}
			types = append(types, n.Type+" "+strings.Join(n.Notify, ","))
			if n.Type == "ownership.claimed" && (n.Record.Actor != "user:adam" || !bytes.Contains(n.Record.Events, []byte("olivia is unreachable"))) {
				t.Errorf("the claim's notice: %s", body)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("notices: %v; want the designation's and the claim's", types)
		}
	}
	if want := []string{"backup_owner.designated adam", "ownership.claimed olivia"}; !slices.Equal(types, want) {
		t.Errorf("notices %v, want %v", types, want)
	}
}

// TestAuditLedgerDownFailsRecordedChecks: a check the policy records is
// not answered when its record cannot be kept (503); others still are; an
// applied batch whose record failed says it was applied.
func TestAuditLedgerDownFailsRecordedChecks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := &switchable{Ledger: fileLedger(t)}
	c := auditedWard(t, l)
	if err := loadDemoAs(t, c, ""); err != nil {
		t.Fatal(err)
	}
	l.down.Store(true)
	_, err := c.Check(ctx, api.CheckRequest{Subject: "user:priya", Permission: "view_notes", Resource: "client:ann"})
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Status != http.StatusServiceUnavailable || !strings.Contains(ce.Body.Message, "audit ledger") {
		t.Fatalf("a recorded check with the ledger down: %v", err)
	}
	if _, err := c.CheckBulk(ctx, api.BulkCheckRequest{Checks: []api.BulkCheckItem{{Subject: "user:priya", Permission: "view", Resource: "note:ann-1"}}}); !errors.As(err, &ce) || ce.Status != http.StatusServiceUnavailable {
		t.Fatalf("a recorded bulk check with the ledger down: %v", err)
	}
	if res, err := c.Check(ctx, api.CheckRequest{Subject: "user:alex", Permission: "view", Resource: "invoice:inv-ann-1"}); err != nil || !res.Allowed {
		t.Fatalf("a check the policy does not record: %+v, %v", res, err)
	}
	_, err = c.Apply(ctx, api.EventsRequest{Events: testenv.Events(t, `{"type":"client.created","workspace":"riverside","client":"dan","practitioner":"priya"}`)})
	if !errors.As(err, &ce) || ce.Status != http.StatusServiceUnavailable || !strings.Contains(ce.Body.Message, "were applied") {
		t.Fatalf("an applied batch with the ledger down: %v", err)
	}
	l.down.Store(false)
	if res, err := c.Check(ctx, api.CheckRequest{Subject: "user:priya", Permission: "view_notes", Resource: "client:ann"}); err != nil || !res.Allowed {
		t.Fatalf("after the ledger came back: %+v, %v", res, err)
	}
}

// switchable is a ledger that can be taken down.
type switchable struct {
	audit.Ledger
	down atomic.Bool
}

func (s *switchable) Append(ctx context.Context, recs []*audit.Record) error {
	if s.down.Load() {
		return errors.New("the disk is full")
	}
	return s.Ledger.Append(ctx, recs)
}

// TestAuditRefusesBadInput: who is asking, why, and what is read are held
// to their forms, each error naming its field.
func TestAuditRefusesBadInput(t *testing.T) {
	t.Parallel()
	c := auditedWard(t, fileLedger(t))
	ctx := context.Background()
	for _, c2 := range []struct {
		name  string
		call  func() error
		field string
	}{
		{"an actor that is not a person", func() error {
			_, err := c.Apply(ctx, api.EventsRequest{Events: testenv.Events(t, `{"type":"workspace.created","workspace":"w","owner":"o","preset":"caspen"}`), Actor: "olivia"})
			return err
		}, "actor"},
		{"a purpose with spaces", func() error {
			_, err := c.Check(ctx, api.CheckRequest{Subject: "user:a", Permission: "view", Resource: "client:b", Purpose: "just looking"})
			return err
		}, "purpose"},
		{"an unknown parameter", func() error { _, err := c.Audit(ctx, api.AuditQuery{Cursor: "x"}); return err }, "cursor"},
		{"a head without its hash", func() error { _, err := c.AuditVerify(ctx, 3, ""); return err }, "head_seq"},
	} {
		err := c2.call()
		var ce *client.Error
		if !errors.As(err, &ce) || ce.Status != http.StatusBadRequest || ce.Body.Field != c2.field {
			t.Errorf("%s: %v; want 400 naming %s", c2.name, err, c2.field)
		}
	}
	if p, err := c.Audit(ctx, api.AuditQuery{}); err != nil || len(p.Records) != 0 {
		t.Errorf("bad input was recorded: %+v, %v", p.Records, err)
	}
}

// TestBulkReadsRaiseAnAlert: a person who reads more distinct client records
// than the limit within the window gets an alert record naming them.
func TestBulkReadsRaiseAnAlert(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := auditedWard(t, fileLedger(t), &audit.BulkAccess{Limit: 2, Window: time.Minute})
	if err := loadDemoAs(t, c, ""); err != nil {
		t.Fatal(err)
	}
	for _, client := range []string{"ann", "ben", "ann", "cat"} {
		if res, err := c.Check(ctx, api.CheckRequest{Subject: "user:adam", Permission: "view", Resource: "client:" + client}); err != nil || !res.Allowed {
			t.Fatalf("adam view %s: %+v, %v", client, res, err)
		}
	}
	p, err := c.Audit(ctx, api.AuditQuery{Action: audit.KindAlert})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Records) != 1 || p.Records[0].Subject != "user:adam" || !strings.Contains(p.Records[0].Detail, "read 3 distinct") || p.Records[0].Workspace != "riverside" {
		t.Fatalf("alerts: %+v", p.Records)
	}
}

// TestAuditedChecksStayConditional: a recorded check whose answer depends
// on context it did not give says so (conditional, and what is missing)
// every time it is asked, also once the record's practice is known and the
// check is asked beside the question that confirms it.
func TestAuditedChecksStayConditional(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := auditedWard(t, fileLedger(t))
	if err := loadDemoAs(t, c, "user:olivia"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Apply(ctx, api.EventsRequest{Events: testenv.Events(t, `{"type":"role.updated","workspace":"riverside","role":"receptionist","networks":["10.20.0.0/16"]}`), Actor: "user:olivia"}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		res, err := c.Check(ctx, api.CheckRequest{Subject: "user:rita", Permission: "view", Resource: "client:ann"})
		if err != nil || res.Allowed || !res.Conditional || len(res.Missing) != 1 || res.Missing[0] != "ip" {
			t.Fatalf("check %d: %+v (%v), want conditional on ip", i, res, err)
		}
	}
	// The ledger keeps what the question gave, and what it lacked.
	ip := "10.20.1.2"
	if res, err := c.Check(ctx, api.CheckRequest{Subject: "user:rita", Permission: "view", Resource: "client:ann", Context: &api.CheckContext{IP: &ip}}); err != nil || !res.Allowed {
		t.Fatalf("check from the network: %+v (%v)", res, err)
	}
	page, err := c.Audit(ctx, api.AuditQuery{User: "rita", Action: audit.KindDecision})
	if err != nil || len(page.Records) != 4 {
		t.Fatalf("rita's decisions: %+v (%v), want 4", page.Records, err)
	}
	if first := page.Records[0]; len(first.Missing) != 1 || first.Missing[0] != "ip" || first.Context != nil {
		t.Errorf("a conditional decision recorded as %+v, want missing ip and no context", first)
	}
	if last := page.Records[3]; last.Context == nil || last.Context.IP == nil || *last.Context.IP != ip || len(last.Missing) != 0 || !*last.Allowed {
		t.Errorf("a decision from the network recorded as %+v, want its ip", last)
	}
}

// demoWithWebhook is an audited Ward holding the demo practice, whose
// webhook's notices (bodies) arrive on the channel.
func demoWithWebhook(t *testing.T) (*client.Client, chan []byte) {
	t.Helper()
	c, got, _, _, _ := demoWithWebhookParts(t)
	return c, got
}

// demoWithWebhookParts is demoWithWebhook with the Ward it serves, its
// recorder and its webhook.
func demoWithWebhookParts(t *testing.T) (*client.Client, chan []byte, testenv.Ward, *audit.Recorder, *audit.Webhook) {
	t.Helper()
	got := make(chan []byte, 10)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- body
	}))
	t.Cleanup(receiver.Close)
	hook := &audit.Webhook{URL: receiver.URL, Secret: []byte("demo-webhook-secret"), Attempts: 2, Backoff: time.Millisecond, Client: receiver.Client(), Logger: slog.New(slog.DiscardHandler)}
	c, w, rec := auditedWardParts(t, fileLedger(t), hook)
	if err := loadDemoAs(t, c, "user:olivia"); err != nil {
		t.Fatal(err)
	}
	return c, got, w, rec, hook
}

// TestAccessRequestsAreToldAndUsesRecorded: a request for access tells its
// requester's manager and the owner, its approval the requester; a check
// that uses a one-time grant up is answered with the grant it used, and
// the use is in the ledger in the requester's name.
func TestAccessRequestsAreToldAndUsesRecorded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, got := demoWithWebhook(t)
	for _, step := range []struct{ event, actor string }{
		{`{"type":"staff.manager_set","workspace":"riverside","user":"rita","manager":"maya"}`, ""},
		{`{"type":"access.requested","workspace":"riverside","request":"ar1","user":"rita","role":"accountant","reason":"fix the tax rate","minutes":30,"once":true}`, "user:rita"},
		{`{"type":"access.approved","workspace":"riverside","request":"ar1","reason":"alex is away"}`, "user:maya"},
	} {
		if _, err := c.Apply(ctx, api.EventsRequest{Events: testenv.Events(t, step.event), Actor: step.actor}); err != nil {
			t.Fatal(err)
		}
	}
	toldWant(t, got, "access.requested maya,olivia by user:rita", "access.approved rita by user:maya")
	ask := api.CheckRequest{Subject: "user:rita", Permission: "manage_tax_settings", Resource: "workspace:riverside"}
	if res, err := c.Check(ctx, ask); err != nil || res.Allowed {
		t.Fatalf("a check without consume: %+v, %v; want denied", res, err)
	}
	ask.Consume = true
	if res, err := c.Check(ctx, ask); err != nil || !res.Allowed || res.Consumed != "access_request:riverside/ar1" {
		t.Fatalf("a check with consume: %+v, %v; want allowed, using ar1 up", res, err)
	}
	if res, err := c.Check(ctx, ask); err != nil || res.Allowed || res.Consumed != "" {
		t.Fatalf("a second check with consume: %+v, %v; want denied", res, err)
	}
	p, err := c.Audit(ctx, api.AuditQuery{Action: "access.consumed"})
	if err != nil || len(p.Records) != 1 || p.Records[0].Actor != "user:rita" || p.Records[0].Kind != audit.KindEvents {
		t.Fatalf("the ledger's record of the use: %+v, %v", p.Records, err)
	}
}

// TestDelegationsAreToldAndRecorded: lending roles tells the lender, the
// delegate and the owner, giving them back tells the lender and the
// delegate, and the ledger holds each step with its actor.
func TestDelegationsAreToldAndRecorded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, got := demoWithWebhook(t)
	until := time.Now().Add(7 * 24 * time.Hour).UTC().Format(time.RFC3339)
	for _, step := range []struct{ event, actor string }{
		{`{"type":"delegation.granted","workspace":"riverside","delegation":"leave","from":"maya","to":"rita","roles":["practice_manager"],"expires_at":"` + until + `"}`, "user:maya"},
		{`{"type":"delegation.revoked","workspace":"riverside","delegation":"leave"}`, "user:rita"},
	} {
		if _, err := c.Apply(ctx, api.EventsRequest{Events: testenv.Events(t, step.event), Actor: step.actor}); err != nil {
			t.Fatal(err)
		}
	}
	toldWant(t, got, "delegation.granted maya,rita,olivia by user:maya", "delegation.revoked maya,rita by user:rita")
	for action, actor := range map[string]string{"delegation.granted": "user:maya", "delegation.revoked": "user:rita"} {
		p, err := c.Audit(ctx, api.AuditQuery{Action: action})
		if err != nil || len(p.Records) != 1 || p.Records[0].Actor != actor || p.Records[0].Kind != audit.KindEvents {
			t.Fatalf("the ledger's record of %s: %+v, %v", action, p.Records, err)
		}
	}
	list, err := c.Delegations(ctx, "riverside", api.DelegationQuery{State: domain.DelegationRevoked})
	if err != nil || len(list.Delegations) != 1 || list.Delegations[0].EndedBy != "rita" {
		t.Fatalf("revoked delegations: %+v, %v", list, err)
	}
}

// toldWant waits for as many webhook notices as want has, each as "TYPE
// NOTIFIED by ACTOR", and holds them to want, in order.
func toldWant(t *testing.T, got <-chan []byte, want ...string) {
	t.Helper()
	var told []string
	for len(told) < len(want) {
		select {
		case body := <-got:
			var n audit.Notice
			if err := json.Unmarshal(body, &n); err != nil {
				t.Fatal(err)
			}
			told = append(told, n.Type+" "+strings.Join(n.Notify, ",")+" by "+n.Record.Actor)
		case <-time.After(10 * time.Second):
			t.Fatalf("notices: %v; want %v", told, want)
		}
	}
	if !slices.Equal(told, want) {
		t.Errorf("notices %v, want %v", told, want)
	}
}

// TestDueReviewsAreToldAndRecorded: a review that fell due is recorded in
// the ledger (access_review.due, naming the person) and tells the owner and
// the person's manager, once; the review itself tells the person and the
// owner, and is recorded with its reviewer.
func TestDueReviewsAreToldAndRecorded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, got, w, rec, hook := demoWithWebhookParts(t)
	setup := `{"type":"policy.set","workspace":"riverside","review_every_days":90}
{"type":"staff.manager_set","workspace":"riverside","user":"rita","manager":"maya"}`
	if _, err := c.Apply(ctx, api.EventsRequest{Events: testenv.Events(t, setup), Actor: "user:olivia"}); err != nil {
		t.Fatal(err)
	}
	// Rita's 90 days pass (her period ends a second from now).
	current := domain.Rel(domain.ReviewObject("riverside", "rita"), "current", domain.Object{Type: domain.TypeWorkspace, ID: "riverside"})
	current.Expires = domain.EndAt(time.Now().Add(time.Second))
	if _, err := w.Store.Write(ctx, domain.Write{Updates: []domain.Update{{Op: domain.Touch, Rel: current}}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	for range 2 { // the second sweep finds nothing new
		TellDueReviews(ctx, w.DueReviews, rec, hook, slog.New(slog.DiscardHandler))
	}
	toldWant(t, got, "access_review.due olivia,maya by ")
	p, err := c.Audit(ctx, api.AuditQuery{Action: KindReviewDue})
	if err != nil || len(p.Records) != 1 || p.Records[0].Workspace != "riverside" || !slices.Equal(p.Records[0].Users, []string{"rita"}) {
		t.Fatalf("the ledger's record of the review due: %+v, %v", p.Records, err)
	}
	review := `{"type":"access.reviewed","workspace":"riverside","user":"rita","outcome":"keep"}`
	if _, err := c.Apply(ctx, api.EventsRequest{Events: testenv.Events(t, review), Actor: "user:maya"}); err != nil {
		t.Fatal(err)
	}
	toldWant(t, got, "access.reviewed olivia,rita by user:maya")
	page, err := c.AccessReview(ctx, "riverside", api.AccessReviewQuery{Due: true})
	if err != nil || len(page.Reviews) != 0 {
		t.Fatalf("reviews due after rita's: %+v, %v; want none", page, err)
	}
	// A review revoking everything records the grants it named, and the
	// clients whose shares it ended are in their audit trail.
	revokeAll := `{"type":"access.reviewed","workspace":"riverside","user":"priya","outcome":"revoke"}`
	if _, err := c.Apply(ctx, api.EventsRequest{Events: testenv.Events(t, revokeAll), Actor: "user:olivia"}); err != nil {
		t.Fatal(err)
	}
	p, err = c.Audit(ctx, api.AuditQuery{Action: "access.reviewed", Client: "dan"})
	if err != nil || len(p.Records) != 1 || !strings.Contains(string(p.Records[0].Events), `"items":["role:practitioner","share:dan"]`) {
		t.Fatalf("the ledger's record of priya's review, by client dan: %+v, %v; want it, naming role:practitioner and share:dan", p.Records, err)
	}
}
