package scenarios

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/testenv"
)

// LargeRoleChange imports a practice where 1,671 practitioners over five
// locations hold one role, and changes that role in one request: every
// holder's written-out access is rewritten, more than 10,000 relationship
// updates (Ward's limit before), over 7,281 of them touches (the most
// SpiceDB's API takes in one write on PostgreSQL). Then a practitioner sees
// invoices at their location that are not their clients', and still none at
// another location.
func LargeRoleChange(t testing.TB, w *service.Service) {
	t.Helper()
	ctx := context.Background()
	practice, err := domain.ReadImport(strings.NewReader(StaffedPractice(5, 400, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Import(ctx, practice); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Apply(ctx, testenv.Parsed(t, `{"type":"invoice.created","workspace":"w","invoice":"i1","client":"c1_0","practitioner":"u1_0"}`)); err != nil {
		t.Fatal(err)
	}
	sees := func(user string) bool {
		t.Helper()
		q, err := domain.ParseQuestion("user:"+user, "view", "invoice:i1")
		if err != nil {
			t.Fatal(err)
		}
		d, err := w.Check(ctx, q, "")
		if err != nil {
			t.Fatal(err)
		}
		return d.Allowed
	}
	if sees("u1_1") {
		t.Fatal("before the change a practitioner sees another practitioner's client's invoice")
	}
	start := time.Now()
	res, err := w.Apply(ctx, testenv.Parsed(t, `{"type":"role.updated","workspace":"w","role":"practitioner","grants":{"invoices":"all"}}`))
	if err != nil {
		t.Fatalf("the role change was refused: %v", err)
	}
	t.Logf("the role change wrote %d and deleted %d relationships in %v", res.Touched, res.Deleted, time.Since(start).Round(time.Millisecond))
	if res.Touched <= 65535/9 || res.Touched+res.Deleted <= 10000 {
		t.Errorf("the role change wrote %d and deleted %d relationships: the practice is too small to pass those limits", res.Touched, res.Deleted)
	}
	if !sees("u1_1") {
		t.Error("after the change a practitioner does not see an invoice at their location")
	}
	if sees("u4_2") {
		t.Error("after the change a practitioner at another location sees the invoice")
	}
}
