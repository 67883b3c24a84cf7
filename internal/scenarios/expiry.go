package scenarios

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/testenv"
)

// GrantsPastExpiry writes a role held until a set time, checks it in a loop
// until then (giving SpiceDB's caches every chance to fill), waits past the end
// with no other write to move SpiceDB on, and checks it again n times over two
// seconds. It returns how many of those n checks still granted: 0 is right.
// SpiceDB v1.56 granted until the next write with its dispatch caches on
// (authzed/spicedb#3431). It takes about eight seconds, most of them waiting.
func GrantsPastExpiry(t testing.TB, c *service.Service) (granted, n int) {
	t.Helper()
	ctx := context.Background()
	end := time.Now().Add(5 * time.Second).Truncate(time.Second)
	lines := Base + fmt.Sprintf(`{"type":"staff.added","workspace":"p1","user":"cx","role":"receptionist","expires_at":%q}`, end.UTC().Format(time.RFC3339))
	if _, err := c.Apply(ctx, testenv.Parsed(t, lines)); err != nil {
		t.Fatal(err)
	}
	q := domain.Question{Subject: domain.Object{Type: domain.TypeUser, ID: "cx"}, Permission: "view", Resource: domain.Object{Type: domain.TypeClient, ID: "ann"}}
	// Before the end, every check answered before it must grant. The checks
	// carry no ZedToken, as a caller's would not.
	warm := 0
	for time.Until(end) > 250*time.Millisecond {
		d, err := c.Check(ctx, q, "")
		if err != nil {
			t.Fatal(err)
		}
		if !d.Allowed && time.Now().Before(end) {
			t.Fatalf("check %d, before the end: denied", warm)
		}
		warm++
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(time.Until(end) + time.Second)
	n = 20
	for range n {
		d, err := c.Check(ctx, q, "")
		if err != nil {
			t.Fatal(err)
		}
		if d.Allowed {
			granted++
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("%d checks before the end; %d of %d checks after it granted", warm, granted, n)
	return granted, n
}
