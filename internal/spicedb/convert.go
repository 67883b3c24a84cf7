package spicedb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wardhq/ward/internal/domain"
)

func toObject(o domain.Object) *v1.ObjectReference {
	return &v1.ObjectReference{ObjectType: o.Type, ObjectId: o.ID}
}

func toSubject(s domain.Subject) *v1.SubjectReference {
	return &v1.SubjectReference{Object: &v1.ObjectReference{ObjectType: s.Type, ObjectId: s.ID}, OptionalRelation: s.Relation}
}

func toRelationship(r domain.Relationship) *v1.Relationship {
	rel := &v1.Relationship{Resource: toObject(r.Resource), Relation: r.Relation, Subject: toSubject(r.Subject)}
	if !r.Expires.Never() {
		rel.OptionalExpiresAt = timestamppb.New(r.Expires.Time())
	}
	return rel
}

func fromRelationship(r *v1.Relationship) domain.Relationship {
	return domain.Relationship{
		Resource: domain.Object{Type: r.GetResource().GetObjectType(), ID: r.GetResource().GetObjectId()},
		Relation: r.GetRelation(),
		Subject: domain.Subject{
			Type:     r.GetSubject().GetObject().GetObjectType(),
			ID:       r.GetSubject().GetObject().GetObjectId(),
			Relation: r.GetSubject().GetOptionalRelation(),
		},
		Expires: expires(r),
	}
}

func expires(r *v1.Relationship) domain.End {
	if r.GetOptionalExpiresAt() == nil {
		return domain.End{}
	}
	return domain.EndAt(r.GetOptionalExpiresAt().AsTime())
}

// consistency reads at least as fresh as token when the caller gave one, and
// otherwise at the newest revision, so every acknowledged event is seen
// (SpiceDB's default may answer from a snapshot seconds old).
func consistency(token string) *v1.Consistency {
	if token != "" {
		return &v1.Consistency{Requirement: &v1.Consistency_AtLeastAsFresh{AtLeastAsFresh: &v1.ZedToken{Token: token}}}
	}
	return &v1.Consistency{Requirement: &v1.Consistency_FullyConsistent{FullyConsistent: true}}
}

// errPreconditionFailed marks a write that lost a race with another writer.
var errPreconditionFailed = errors.New("a concurrent write changed the workspace")

// translateErr maps a SpiceDB (gRPC) error to a domain error. The cause is kept
// for logs; callers only see the message.
func translateErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &domain.Error{Code: domain.CodeUnavailable, Index: -1, Message: op + ": the request was cancelled or timed out", Err: err}
	}
	st, _ := status.FromError(err)
	switch st.Code() {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled, codes.Aborted, codes.ResourceExhausted:
		return &domain.Error{Code: domain.CodeUnavailable, Index: -1, Message: op + ": SpiceDB is unavailable; retry shortly, and check that SpiceDB is running (see /readyz)", Err: err}
	case codes.Unauthenticated, codes.PermissionDenied:
		return &domain.Error{Code: domain.CodeInternal, Index: -1, Message: op + ": SpiceDB rejected Ward's preshared key; check --spicedb-token", Err: err}
	case codes.InvalidArgument:
		if strings.Contains(st.Message(), "too many updates") {
			return &domain.Error{Code: domain.CodeInternal, Index: -1, Message: fmt.Sprintf("%s: SpiceDB takes fewer updates in one write than Ward needs: start it with --write-relationships-max-updates-per-call=%d (%s)", op, MaxUpdatesPerWrite, st.Message()), Err: err}
		}
		return &domain.Error{Code: domain.CodeInvalid, Index: -1, Message: op + ": SpiceDB rejected the request: " + st.Message(), Err: err}
	case codes.AlreadyExists:
		// Only ID markers are created rather than touched: another request took one.
		return errPreconditionFailed
	case codes.FailedPrecondition:
		if strings.Contains(st.Message(), "write precondition") {
			return errPreconditionFailed
		}
		return &domain.Error{Code: domain.CodeInternal, Index: -1, Message: op + ": SpiceDB is not ready (is Ward's schema written?)", Err: err}
	}
	return &domain.Error{Code: domain.CodeInternal, Index: -1, Message: op + ": SpiceDB failed", Err: err}
}
