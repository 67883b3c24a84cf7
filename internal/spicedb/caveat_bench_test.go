package spicedb_test

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/spicedb"
	"github.com/wardhq/ward/schema"
)

// BenchmarkCaveats measures what each of Ward's caveats adds to one check,
// in in-process SpiceDB: a relation read plainly, then with each caveat and
// the context Ward writes for it, as Ward's schema declares them. SpiceDB
// builds a CEL program for every evaluation, so a caveat costs in proportion
// to its expression, whatever part of it a relationship uses
// (docs/performance.md, step 38):
//
//	go test ./internal/spicedb/ -run '^$' -bench Caveats -benchtime 2000x
func BenchmarkCaveats(b *testing.B) {
	ctx := context.Background()
	e, err := spicedb.StartEmbedded(ctx, spicedb.EmbeddedConfig{}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = e.Close() })
	caveats := regexp.MustCompile(`(?ms)^caveat (\w+)\(.*?^}$`).FindAllStringSubmatch(schema.Text, -1)
	var names []string
	text := ""
	for _, c := range caveats {
		text += c[0] + "\n"
		names = append(names, "user with "+c[1])
	}
	text += "definition user {}\ndefinition doc {\n\trelation viewer: user | " + strings.Join(names, " | ") + "\n\tpermission view = viewer\n}\n"
	if _, err := v1.NewSchemaServiceClient(e.Conn()).WriteSchema(ctx, &v1.WriteSchemaRequest{Schema: text}); err != nil {
		b.Fatal(err)
	}
	ps := v1.NewPermissionsServiceClient(e.Conn())
	// span is the span of one condition: business hours open all week in
	// zone, or two networks.
	span := func(kind string) domain.Span {
		c := domain.Cond{}
		if zone, ok := strings.CutPrefix(kind, "hours:"); ok {
			h, err := domain.ParseHours([]byte(`{"timezone":"` + zone + `","windows":[{"days":["mon","tue","wed","thu","fri","sat","sun"],"from":"00:00","to":"24:00"}]}`))
			if err != nil {
				b.Fatal(err)
			}
			c.Hours = []domain.Hours{h}
		} else {
			n, _ := domain.ParseNetworks([]byte(`["10.0.0.0/8","192.168.0.0/16"]`))
			c.Networks = []domain.Networks{n}
		}
		return domain.CondSpan(c)
	}
	started, _ := domain.Between(time.Now().Add(-time.Hour), domain.End{})
	twice, _ := domain.SpanOfWindows([]domain.Window{{Start: time.Now().Add(-2 * time.Hour), End: domain.EndAt(time.Now().Add(-time.Hour))}, {Start: time.Now().Add(-time.Minute)}})
	both, _ := domain.Intersect(span("hours:Australia/Sydney"), span("networks"))
	for _, tt := range []struct {
		name string
		rel  domain.Relationship
	}{
		{"plain", domain.Relationship{}},
		{"window (a start)", domain.Relationship{}.Lasting(started)},
		{"during (two windows)", domain.Relationship{}.Lasting(twice)},
		{"amount_below", domain.Relationship{Below: "500"}},
		{"terms: hours", domain.Relationship{}.Lasting(span("hours:Australia/Sydney"))},
		{"terms: hours in UTC", domain.Relationship{}.Lasting(span("hours:UTC"))},
		{"terms: networks", domain.Relationship{}.Lasting(span("networks"))},
		{"terms: hours and networks", domain.Relationship{}.Lasting(both)},
	} {
		rel := &v1.Relationship{
			Resource: &v1.ObjectReference{ObjectType: "doc", ObjectId: "d"}, Relation: "viewer",
			Subject: &v1.SubjectReference{Object: &v1.ObjectReference{ObjectType: "user", ObjectId: "u"}}}
		name, c := tt.rel.Caveat()
		if (name == "") != (tt.name == "plain") {
			b.Fatalf("%s: caveat %q", tt.name, name)
		}
		if name != "" {
			st, err := structpb.NewStruct(c)
			if err != nil {
				b.Fatal(err)
			}
			rel.OptionalCaveat = &v1.ContextualizedCaveat{CaveatName: name, Context: st}
		}
		if _, err := ps.WriteRelationships(ctx, &v1.WriteRelationshipsRequest{Updates: []*v1.RelationshipUpdate{{Operation: v1.RelationshipUpdate_OPERATION_TOUCH, Relationship: rel}}}); err != nil {
			b.Fatal(err)
		}
		given, _ := structpb.NewStruct(map[string]any{"now": time.Now().UTC().Format(time.RFC3339Nano), "ip": "10.1.2.3", "amount": 120.0})
		req := &v1.CheckPermissionRequest{Consistency: &v1.Consistency{Requirement: &v1.Consistency_FullyConsistent{FullyConsistent: true}},
			Resource: rel.Resource, Permission: "view", Subject: rel.Subject, Context: given}
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				r, err := ps.CheckPermission(ctx, req)
				if err != nil || r.Permissionship != v1.CheckPermissionResponse_PERMISSIONSHIP_HAS_PERMISSION {
					b.Fatalf("%v (%v), want allowed", r.GetPermissionship(), err)
				}
			}
		})
	}
}
