package spicedb

import (
	"errors"
	"strings"
	"testing"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wardhq/ward/internal/domain"
)

// withReason is a SpiceDB error as SpiceDB builds it: a code, a message and a
// google.rpc.ErrorInfo naming the reason.
func withReason(t *testing.T, code codes.Code, msg string, reason v1.ErrorReason) error {
	t.Helper()
	st, err := status.New(code, msg).WithDetails(&errdetails.ErrorInfo{Reason: reason.String(), Domain: "authzed.com"})
	if err != nil {
		t.Fatal(err)
	}
	return st.Err()
}

// TestTranslateErrByCode: SpiceDB's errors are told apart by gRPC code and
// ErrorReason, whatever their messages say, and no message of SpiceDB's
// reaches the caller (it stays in the cause, for the logs).
func TestTranslateErrByCode(t *testing.T) {
	const secret = "SpiceDB-internal-detail"
	tests := []struct {
		name string
		err  error
		want domain.Code // "" for a lost write race
	}{
		{"a precondition failure, whatever its message", withReason(t, codes.FailedPrecondition, secret, v1.ErrorReason_ERROR_REASON_WRITE_OR_DELETE_PRECONDITION_FAILURE), ""},
		{"a message that mentions a precondition is not one", status.Error(codes.FailedPrecondition, "unable to satisfy write precondition "+secret), domain.CodeInternal},
		{"an ID taken by a concurrent create", withReason(t, codes.AlreadyExists, secret, v1.ErrorReason_ERROR_REASON_ATTEMPT_TO_RECREATE_RELATIONSHIP), ""},
		{"SpiceDB's per-call update limit", withReason(t, codes.InvalidArgument, secret, v1.ErrorReason_ERROR_REASON_TOO_MANY_UPDATES_IN_REQUEST), domain.CodeInternal},
		{"a message that mentions too many updates is not the limit", status.Error(codes.InvalidArgument, "too many updates "+secret), domain.CodeInvalid},
		{"the datastore's transaction limit", withReason(t, codes.Aborted, secret, v1.ErrorReason_ERROR_REASON_TOO_MANY_UPDATES_IN_REQUEST), domain.CodeTooLarge},
		{"too many checks", withReason(t, codes.InvalidArgument, secret, v1.ErrorReason_ERROR_REASON_TOO_MANY_CHECKS_IN_REQUEST), domain.CodeTooLarge},
		{"a serialization failure", withReason(t, codes.Aborted, secret, v1.ErrorReason_ERROR_REASON_SERIALIZATION_FAILURE), domain.CodeUnavailable},
		{"read-only", withReason(t, codes.Unavailable, secret, v1.ErrorReason_ERROR_REASON_SERVICE_READ_ONLY), domain.CodeUnavailable},
		{"no schema", withReason(t, codes.FailedPrecondition, secret, v1.ErrorReason_ERROR_REASON_UNKNOWN_DEFINITION), domain.CodeInternal},
		{"maximum depth", withReason(t, codes.ResourceExhausted, secret, v1.ErrorReason_ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED), domain.CodeInternal},
		{"not migrated", withReason(t, codes.FailedPrecondition, secret, v1.ErrorReason_ERROR_REASON_DATASTORE_NOT_MIGRATED), domain.CodeInternal},
		{"unavailable", status.Error(codes.Unavailable, secret), domain.CodeUnavailable},
		{"SpiceDB's own deadline", status.Error(codes.DeadlineExceeded, secret), domain.CodeUnavailable},
		{"a refused argument", status.Error(codes.InvalidArgument, secret), domain.CodeInvalid},
		{"the preshared key", status.Error(codes.Unauthenticated, secret), domain.CodeInternal},
		{"anything else", status.Error(codes.Unknown, secret), domain.CodeInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := translateErr("doing it", tt.err)
			if tt.want == "" {
				if !errors.Is(err, domain.ErrRaced) {
					t.Fatalf("got %v, want a lost write race", err)
				}
				return
			}
			var e *domain.Error
			if !errors.As(err, &e) || e.Code != tt.want {
				t.Fatalf("got %v, want code %s", err, tt.want)
			}
			if strings.Contains(e.Message, secret) {
				t.Errorf("the caller's message %q carries SpiceDB's", e.Message)
			}
			if !errors.Is(e, tt.err) {
				t.Errorf("the cause %v is not kept for the logs", e.Err)
			}
		})
	}
}
