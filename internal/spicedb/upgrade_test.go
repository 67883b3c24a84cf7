package spicedb_test

import (
	"context"
	_ "embed"
	"log/slog"
	"testing"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/spicedb"
	"github.com/wardhq/ward/schema"
)

// schemaBeforeOnce is the schema Ward wrote before one-time grants gave
// the terms caveat its consume parameter.
//
//go:embed testdata/schema-before-once.zed
var schemaBeforeOnce string

// TestSchemaUpgradeKeepsConditions: a store that holds conditioned access
// under the schema before one-time grants takes the current schema, and
// what it held answers as before.
func TestSchemaUpgradeKeepsConditions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	emb, err := spicedb.StartEmbedded(ctx, spicedb.EmbeddedConfig{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emb.Close() })
	c := spicedb.NewWithConfig(emb.Conn(), slog.New(slog.DiscardHandler), emb.StoreConfig())
	if _, err := c.WriteSchema(ctx, schemaBeforeOnce); err != nil {
		t.Fatalf("writing the old schema: %v", err)
	}
	// Relationships as the old schema's Ward wrote them: a member whose
	// settings edit holds on one network (the terms caveat, no once).
	nets, err := domain.ParseNetworks([]byte(`["10.0.0.0/8"]`))
	if err != nil {
		t.Fatal(err)
	}
	ws := domain.Object{Type: domain.TypeWorkspace, ID: "p1"}
	u := domain.Object{Type: domain.TypeUser, ID: "rita"}
	var w domain.Write
	for _, r := range []domain.Relationship{
		domain.Rel(ws, "member", u),
		domain.Rel(ws, "settings_edit", u).Lasting(domain.CondSpan(domain.Cond{Networks: []domain.Networks{nets}})),
	} {
		w.Updates = append(w.Updates, domain.Update{Op: domain.Touch, Rel: r})
	}
	if _, err := c.Write(ctx, w); err != nil {
		t.Fatalf("writing under the old schema: %v", err)
	}
	svc := service.New(c, slog.New(slog.DiscardHandler))
	if _, err := c.WriteSchema(ctx, schema.Text); err != nil {
		t.Fatalf("upgrading to the current schema: %v", err)
	}
	for _, tt := range []struct {
		ip   string
		want bool
	}{{"10.1.2.3", true}, {"192.168.0.1", false}} {
		q, err := domain.ParseQuestion("user:rita", "manage_settings", "workspace:p1")
		if err != nil {
			t.Fatal(err)
		}
		q.IP = tt.ip
		d, err := svc.Check(ctx, q, "")
		if err != nil || d.Allowed != tt.want {
			t.Errorf("rita manage_settings from %s after the upgrade: %+v, %v; want allowed=%v", tt.ip, d, err, tt.want)
		}
	}
}
