package spicedb

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wardhq/ward/internal/domain"
)

// flakyReads answers ReadRelationships (and CheckPermission) with each of
// fails in turn, then with one relationship (or "allowed"); it counts the calls.
type flakyReads struct {
	v1.PermissionsServiceClient
	fails []error
	calls int
}

func (f *flakyReads) ReadRelationships(context.Context, *v1.ReadRelationshipsRequest, ...grpc.CallOption) (grpc.ServerStreamingClient[v1.ReadRelationshipsResponse], error) {
	f.calls++
	if f.calls <= len(f.fails) {
		return nil, f.fails[f.calls-1]
	}
	return &oneRead{}, nil
}

func (f *flakyReads) CheckPermission(context.Context, *v1.CheckPermissionRequest, ...grpc.CallOption) (*v1.CheckPermissionResponse, error) {
	f.calls++
	if f.calls <= len(f.fails) {
		return nil, f.fails[f.calls-1]
	}
	return &v1.CheckPermissionResponse{Permissionship: v1.CheckPermissionResponse_PERMISSIONSHIP_HAS_PERMISSION, CheckedAt: &v1.ZedToken{Token: "t2"}}, nil
}

type oneRead struct {
	grpc.ClientStream
	sent bool
}

func (s *oneRead) Recv() (*v1.ReadRelationshipsResponse, error) {
	if s.sent {
		return nil, io.EOF
	}
	s.sent = true
	return &v1.ReadRelationshipsResponse{
		ReadAt: &v1.ZedToken{Token: "t1"},
		Relationship: &v1.Relationship{
			Resource: &v1.ObjectReference{ObjectType: "workspace", ObjectId: "w"}, Relation: "lock",
			Subject: &v1.SubjectReference{Object: &v1.ObjectReference{ObjectType: "ward_lock", ObjectId: "x"}},
		},
	}, nil
}

// TestReadTriesAgainWhatMayPass: Ward's own reads have no effect, so a read
// that failed for a reason that may pass is made again (at most three times
// in all), and one SpiceDB refused as such is not. A read that failed every
// time is unavailability when SpiceDB fails the simplest read too.
func TestReadTriesAgainWhatMayPass(t *testing.T) {
	timeout := status.Error(codes.Unknown, "unable to read namespace config: timeout: read tcp: i/o timeout")
	tests := []struct {
		name      string
		fails     []error
		wantCalls int
		wantErr   domain.Code
	}{
		{"passes on the second try", []error{timeout}, 2, ""},
		{"passes on the third try", []error{timeout, status.Error(codes.Unavailable, "restarting")}, 3, ""},
		// Three tries, then a probe that SpiceDB answers: its own fault.
		{"gives up after three", []error{timeout, timeout, timeout}, 4, domain.CodeInternal},
		// Three tries, then a probe that fails too: SpiceDB serves nothing,
		// as when its datastore is unreachable.
		{"SpiceDB serves nothing", []error{timeout, timeout, timeout, status.Error(codes.Internal, "unexpected consistency middleware error")}, 4, domain.CodeUnavailable},
		{"a refusal is not retried", []error{status.Error(codes.InvalidArgument, "bad filter")}, 1, domain.CodeInvalid},
		{"a cancelled caller is not retried", []error{context.Canceled}, 1, domain.CodeUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &flakyReads{fails: tt.fails}
			c := &Client{perms: f, logger: slog.New(slog.DiscardHandler)}
			rels, token, err := c.ReadAll(context.Background(), "", []domain.Filter{{ResourceType: "workspace"}})
			if f.calls != tt.wantCalls {
				t.Errorf("%d calls, want %d", f.calls, tt.wantCalls)
			}
			if tt.wantErr == "" {
				if err != nil || len(rels) != 1 || token != "t1" {
					t.Fatalf("got %v %q %v, want the one relationship at t1", rels, token, err)
				}
				return
			}
			var e *domain.Error
			if !errors.As(err, &e) || e.Code != tt.wantErr {
				t.Fatalf("got %v, want a %s error", err, tt.wantErr)
			}
		})
	}
}

// TestCheckTriesAgainWhatMayPass: a check has no effect either, and goes
// through the same retry as reads; SpiceDB with a cold schema cache failed a
// check after a restart with the same i/o timeout.
func TestCheckTriesAgainWhatMayPass(t *testing.T) {
	timeout := status.Error(codes.Unknown, "unable to read namespace config: timeout: read tcp: i/o timeout")
	q := domain.Question{Subject: domain.Object{Type: "user", ID: "u"}, Permission: "view", Resource: domain.Object{Type: "client", ID: "c"}}
	f := &flakyReads{fails: []error{timeout}}
	c := &Client{perms: f, logger: slog.New(slog.DiscardHandler)}
	d, err := c.Check(context.Background(), q, "")
	if err != nil || !d.Allowed || d.Token != "t2" || f.calls != 2 {
		t.Fatalf("got %+v %v after %d calls, want allowed at t2 after 2", d, err, f.calls)
	}
	f = &flakyReads{fails: []error{status.Error(codes.InvalidArgument, "unknown permission")}}
	c.perms = f
	if _, err := c.Check(context.Background(), q, ""); err == nil || f.calls != 1 {
		t.Fatalf("a refused check: %v after %d calls, want an error after 1", err, f.calls)
	}
}
