package spicedb

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wardhq/ward/internal/domain"
)

// TestWriteRequestCreatesNewObjects: when the ID markers prove the created
// objects new (the optimistic path), their relationships, as resource or
// subject, are CREATEd, and everything else is TOUCHed; after a full read,
// everything is TOUCHed under preconditions.
func TestWriteRequestCreatesNewObjects(t *testing.T) {
	ws := domain.Object{Type: domain.TypeWorkspace, ID: "w"}
	c := domain.Object{Type: domain.TypeClient, ID: "c"}
	loc := domain.Object{Type: domain.TypeLocation, ID: "l"}
	user := domain.Object{Type: domain.TypeUser, ID: "u"}
	plan := domain.Plan{
		Touch: []domain.Relationship{
			domain.Rel(c, "workspace", ws),
			domain.Rel(ws, "site", loc),
			domain.Rel(ws, "notes_view", user),
		},
		Created:    []domain.Object{c, loc},
		Workspaces: []string{"w"},
	}
	create, touch := v1.RelationshipUpdate_OPERATION_CREATE, v1.RelationshipUpdate_OPERATION_TOUCH
	tests := []struct {
		optimistic bool
		want       map[string]v1.RelationshipUpdate_Operation
		preconds   int
	}{
		{true, map[string]v1.RelationshipUpdate_Operation{
			"client:c#workspace@workspace:w": create, "workspace:w#site@location:l": create, "workspace:w#notes_view@user:u": touch,
			"ward_id:client#taken@client:c": create, "ward_id:location#taken@location:l": create,
		}, 1},
		{false, map[string]v1.RelationshipUpdate_Operation{
			"client:c#workspace@workspace:w": touch, "workspace:w#site@location:l": touch, "workspace:w#notes_view@user:u": touch,
			"ward_id:client#taken@client:c": touch, "ward_id:location#taken@location:l": touch,
		}, 3},
	}
	for _, tt := range tests {
		req, _, err := writeRequest(plan, domain.NewState(), tt.optimistic)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]v1.RelationshipUpdate_Operation{}
		for _, u := range req.GetUpdates() {
			r := u.GetRelationship()
			if r.GetRelation() == "lock" {
				continue
			}
			got[r.GetResource().GetObjectType()+":"+r.GetResource().GetObjectId()+"#"+r.GetRelation()+"@"+
				r.GetSubject().GetObject().GetObjectType()+":"+r.GetSubject().GetObject().GetObjectId()] = u.GetOperation()
		}
		if len(got) != len(tt.want) {
			t.Errorf("optimistic=%v: %v, want %v", tt.optimistic, got, tt.want)
		}
		for k, op := range tt.want {
			if got[k] != op {
				t.Errorf("optimistic=%v: %s is %v, want %v", tt.optimistic, k, got[k], op)
			}
		}
		// The lock's precondition, and after a full read one per created object.
		if n := len(req.GetOptionalPreconditions()); n != tt.preconds {
			t.Errorf("optimistic=%v: %d preconditions, want %d", tt.optimistic, n, tt.preconds)
		}
	}
}

// hideLocks hides every read of one write lock (what awaitVisible asks), as
// SpiceDB v1.56.2 on PostgreSQL did for a while after acknowledging a write.
type hideLocks struct{ v1.PermissionsServiceClient }

func (h hideLocks) ReadRelationships(ctx context.Context, req *v1.ReadRelationshipsRequest, opts ...grpc.CallOption) (grpc.ServerStreamingClient[v1.ReadRelationshipsResponse], error) {
	f := req.GetRelationshipFilter()
	if f.GetOptionalRelation() == "lock" && f.GetOptionalSubjectFilter().GetOptionalSubjectId() != "" {
		return &noReads{}, nil
	}
	return h.PermissionsServiceClient.ReadRelationships(ctx, req, opts...)
}

type noReads struct{ grpc.ClientStream }

func (noReads) Recv() (*v1.ReadRelationshipsResponse, error) { return nil, io.EOF }

// TestUnconfirmedWriteIsApplied: a write SpiceDB took, but that fully
// consistent reads do not show within Ward's wait, is answered as applied and
// unconfirmed with the write's ZedToken, not as an error: a 503 says nothing
// was written, and a caller retrying it would apply the events twice. The
// same holds for an import, which has no ZedToken to give.
func TestUnconfirmedWriteIsApplied(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := memoryClient(t)
	real := c.perms
	c.perms = hideLocks{real}
	c.confirmWait = 100 * time.Millisecond
	parse := func(jsonl string) []domain.Event {
		raws, err := domain.ReadEventLines(strings.NewReader(jsonl))
		if err != nil {
			t.Fatal(err)
		}
		events, err := domain.ParseEvents(raws)
		if err != nil {
			t.Fatal(err)
		}
		return events
	}
	res, err := c.Apply(ctx, parse(`{"type":"staff.added","workspace":"p1","user":"rita","role":"receptionist"}`))
	if err != nil || !res.Unconfirmed || res.Token == "" || res.Touched == 0 {
		t.Fatalf("got %+v, %v; want applied, unconfirmed, with the write's token", res, err)
	}
	c.perms = real
	q := domain.Question{Subject: domain.Object{Type: "user", ID: "rita"}, Permission: "view", Resource: domain.Object{Type: "client", ID: "ann"}}
	if d, err := c.Check(ctx, q, res.Token); err != nil || !d.Allowed {
		t.Errorf("a check at the unconfirmed write's token: %+v %v; want the write seen", d, err)
	}

	c.perms = hideLocks{real}
	res, err = c.Import(ctx, parse(`{"type":"workspace.created","workspace":"p9","owner":"ola","preset":"caspen"}`))
	if err != nil || !res.Unconfirmed || res.Touched == 0 {
		t.Fatalf("import: got %+v, %v; want imported, unconfirmed", res, err)
	}
	c.perms = real
	q = domain.Question{Subject: domain.Object{Type: "user", ID: "ola"}, Permission: "owner", Resource: domain.Object{Type: "workspace", ID: "p9"}}
	if d, err := c.Check(ctx, q, ""); err != nil || !d.Allowed {
		t.Errorf("after the unconfirmed import: %+v %v; want it stored", d, err)
	}
}

// deadlineImports fails every import as SpiceDB v1.57.1 does one that runs
// past its streaming timeout (measured on PostgreSQL; e2e's
// TestImportPastStreamDeadlineOnPostgres runs the real thing).
type deadlineImports struct{ v1.PermissionsServiceClient }

func (deadlineImports) ImportBulkRelationships(context.Context, ...grpc.CallOption) (grpc.ClientStreamingClient[v1.ImportBulkRelationshipsRequest, v1.ImportBulkRelationshipsResponse], error) {
	return cancelledImport{}, nil
}

type cancelledImport struct{ grpc.ClientStream }

func (cancelledImport) Send(*v1.ImportBulkRelationshipsRequest) error { return nil }

func (cancelledImport) CloseAndRecv() (*v1.ImportBulkRelationshipsResponse, error) {
	return nil, status.Error(codes.DeadlineExceeded, "operation took longer than allowed 30s to complete")
}

// TestImportPastStreamDeadline: SpiceDB cancels an import that runs past its
// streaming timeout (30 s by default: an import of 10,000 staff on PostgreSQL
// did) with DeadlineExceeded. That is answered too_large, naming the deadline
// and saying to split the import, not "unavailable; retry".
func TestImportPastStreamDeadline(t *testing.T) {
	t.Parallel()
	c, _ := memoryClient(t)
	c.perms = deadlineImports{c.perms}
	raws, err := domain.ReadEventLines(strings.NewReader(`{"type":"workspace.created","workspace":"big","owner":"o","preset":"caspen"}`))
	if err != nil {
		t.Fatal(err)
	}
	events, err := domain.ParseImport(raws)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Import(context.Background(), events)
	var e *domain.Error
	if !errors.As(err, &e) || e.Code != domain.CodeTooLarge || !strings.Contains(e.Message, "--streaming-api-response-delay-timeout") || !strings.Contains(e.Message, "split") {
		t.Fatalf("got %v; want too_large naming SpiceDB's stream deadline and saying to split the import", err)
	}
}
