package spicedb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wardhq/ward/internal/domain"
)

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
	ws := domain.Object{Type: domain.TypeWorkspace, ID: "big"}
	err := c.ImportRelationships(context.Background(), []domain.Relationship{domain.Rel(ws, "owner", domain.Object{Type: domain.TypeUser, ID: "o"})})
	var e *domain.Error
	if !errors.As(err, &e) || e.Code != domain.CodeTooLarge || !strings.Contains(e.Message, "--streaming-api-response-delay-timeout") || !strings.Contains(e.Message, "split") {
		t.Fatalf("got %v; want too_large naming SpiceDB's stream deadline and saying to split the import", err)
	}
}

// failingChunks is a chunked writer whose every write fails with err.
type failingChunks struct{ err error }

func (f failingChunks) Write(context.Context, *v1.WriteRelationshipsRequest) (string, error) {
	return "", f.err
}

// TestChunkedWriteErrors: the datastore's errors under a chunked write are
// answered as SpiceDB's API would answer them: by the reason they carry,
// and a plain one, while SpiceDB still reads, as an internal failure, never
// as success or a lost race.
func TestChunkedWriteErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want domain.Code // "" for a lost write race
	}{
		{"a serialization failure", withReason(t, codes.Aborted, "x", v1.ErrorReason_ERROR_REASON_SERIALIZATION_FAILURE), domain.CodeUnavailable},
		{"a create of what exists", withReason(t, codes.AlreadyExists, "x", v1.ErrorReason_ERROR_REASON_ATTEMPT_TO_RECREATE_RELATIONSHIP), ""},
		{"a plain error of the datastore", errors.New("unable to write relationships: connection reset"), domain.CodeInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _ := memoryClient(t)
			c.chunked = failingChunks{tt.err}
			var w domain.Write
			for i := range rowsPerStatement + 1 {
				w.Updates = append(w.Updates, domain.Update{Rel: domain.Rel(domain.Object{Type: domain.TypeClient, ID: fmt.Sprint("c", i)}, "shared_with", domain.Object{Type: domain.TypeUser, ID: "u"})})
			}
			_, err := c.Write(context.Background(), w)
			var e *domain.Error
			switch {
			case tt.want == "" && !errors.Is(err, domain.ErrRaced):
				t.Errorf("%v, want domain.ErrRaced", err)
			case tt.want != "" && (!errors.As(err, &e) || e.Code != tt.want):
				t.Errorf("%v, want %s", err, tt.want)
			}
		})
	}
}
