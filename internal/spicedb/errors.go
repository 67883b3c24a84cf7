package spicedb

import (
	"context"
	"errors"
	"fmt"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wardhq/ward/internal/domain"
)

// reasonOf is the ErrorReason SpiceDB attached to st as a google.rpc.ErrorInfo
// detail, or ERROR_REASON_UNSPECIFIED when it attached none (many of its
// errors carry only a code).
func reasonOf(st *status.Status) v1.ErrorReason {
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			if r, ok := v1.ErrorReason_value[info.GetReason()]; ok {
				return v1.ErrorReason(r)
			}
		}
	}
	return v1.ErrorReason_ERROR_REASON_UNSPECIFIED
}

// spicedbErr builds a domain error for an operation; SpiceDB's own message
// stays in the cause, which is logged and never shown to callers.
func spicedbErr(code domain.Code, op, message string, cause error) *domain.Error {
	return &domain.Error{Code: code, Index: -1, Message: op + ": " + message, Err: cause}
}

// translateErr maps an error of a SpiceDB call to a domain error by its gRPC
// status code and SpiceDB's ErrorReason, never by its message. Codes that do
// not say whose fault a failure is (Unknown and Internal, a refused ZedToken)
// are told apart by Client.fail, which can ask SpiceDB again.
func translateErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return domain.Cancelled(op, err)
	}
	st, _ := status.FromError(err)
	switch reasonOf(st) {
	case v1.ErrorReason_ERROR_REASON_WRITE_OR_DELETE_PRECONDITION_FAILURE,
		// Only ID markers are created rather than touched: another request took one.
		v1.ErrorReason_ERROR_REASON_ATTEMPT_TO_RECREATE_RELATIONSHIP:
		return domain.ErrRaced
	case v1.ErrorReason_ERROR_REASON_TOO_MANY_UPDATES_IN_REQUEST:
		if st.Code() == codes.InvalidArgument {
			// SpiceDB's own per-call limit, below the one Ward plans for.
			return spicedbErr(domain.CodeInternal, op, fmt.Sprintf("SpiceDB takes fewer updates in one write than Ward sends: start it with --write-relationships-max-updates-per-call=%d", MaxUpdatesPerWrite), err)
		}
		// The datastore's own limit on one transaction.
		return spicedbErr(domain.CodeTooLarge, op, "the change is larger than SpiceDB's datastore takes in one transaction; nothing was written: split the request", err)
	case v1.ErrorReason_ERROR_REASON_TOO_MANY_PRECONDITIONS_IN_REQUEST,
		v1.ErrorReason_ERROR_REASON_TOO_MANY_CHECKS_IN_REQUEST,
		v1.ErrorReason_ERROR_REASON_EXCEEDS_MAXIMUM_ALLOWABLE_LIMIT,
		v1.ErrorReason_ERROR_REASON_TRANSACTION_METADATA_TOO_LARGE,
		v1.ErrorReason_ERROR_REASON_TOO_MANY_RELATIONSHIPS_FOR_TRANSACTIONAL_DELETE:
		return spicedbErr(domain.CodeTooLarge, op, "the request is over one of SpiceDB's limits; nothing was written: split it into smaller requests", err)
	case v1.ErrorReason_ERROR_REASON_SERIALIZATION_FAILURE,
		v1.ErrorReason_ERROR_REASON_INMEMORY_TOO_MANY_CONCURRENT_UPDATES:
		return spicedbErr(domain.CodeUnavailable, op, "SpiceDB's datastore was busy with conflicting writes; nothing was written: retry", err)
	case v1.ErrorReason_ERROR_REASON_SERVICE_READ_ONLY:
		return spicedbErr(domain.CodeUnavailable, op, "SpiceDB is running read-only; nothing was written: retry once it takes writes again", err)
	case v1.ErrorReason_ERROR_REASON_DATASTORE_NOT_MIGRATED:
		return spicedbErr(domain.CodeInternal, op, "SpiceDB's datastore is not migrated: run `spicedb datastore migrate head` (Ward's in-process SpiceDB migrates at start)", err)
	case v1.ErrorReason_ERROR_REASON_UNKNOWN_DEFINITION,
		v1.ErrorReason_ERROR_REASON_UNKNOWN_RELATION_OR_PERMISSION,
		v1.ErrorReason_ERROR_REASON_SCHEMA_TYPE_ERROR,
		v1.ErrorReason_ERROR_REASON_INVALID_SUBJECT_TYPE:
		return spicedbErr(domain.CodeInternal, op, "SpiceDB does not hold the schema Ward needs: restart Ward so that it writes it (GET /v1/schema says whether it is current)", err)
	case v1.ErrorReason_ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED:
		return spicedbErr(domain.CodeInternal, op, "SpiceDB gave up resolving the permission at its maximum depth (--dispatch-max-depth); report this with Ward's logs", err)
	}
	switch st.Code() {
	case codes.Unavailable, codes.Canceled, codes.Aborted:
		return spicedbErr(domain.CodeUnavailable, op, "SpiceDB is unavailable; retry shortly, and check that SpiceDB is running (see /readyz)", err)
	case codes.DeadlineExceeded:
		return spicedbErr(domain.CodeUnavailable, op, "SpiceDB gave up on the request at one of its own deadlines; retry shortly, and if it recurs ask for less at once", err)
	case codes.ResourceExhausted:
		return spicedbErr(domain.CodeUnavailable, op, "SpiceDB is overloaded; retry shortly", err)
	case codes.Unauthenticated, codes.PermissionDenied:
		return spicedbErr(domain.CodeInternal, op, "SpiceDB rejected Ward's preshared key; check --spicedb-token", err)
	case codes.InvalidArgument:
		return spicedbErr(domain.CodeInvalid, op, "SpiceDB refused the request as malformed (its reason is in Ward's logs); check the IDs and names it carries", err)
	case codes.AlreadyExists:
		return domain.ErrRaced
	case codes.FailedPrecondition, codes.NotFound:
		return spicedbErr(domain.CodeInternal, op, "SpiceDB is not ready (is Ward's schema written? GET /v1/schema says)", err)
	}
	return spicedbErr(domain.CodeInternal, op, "SpiceDB failed; see Ward's logs", err)
}
