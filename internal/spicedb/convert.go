package spicedb

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	"google.golang.org/protobuf/types/known/structpb"
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
	if name, context := r.Caveat(); name != "" {
		c, _ := structpb.NewStruct(context) // strings, numbers, lists and maps only
		rel.OptionalCaveat = &v1.ContextualizedCaveat{CaveatName: name, Context: c}
	}
	return rel
}

// nowContext is the context of every question Ward asks: the moment it
// asks at, which Ward's caveats compare their windows with.
func nowContext(now time.Time) *structpb.Struct {
	return &structpb.Struct{Fields: map[string]*structpb.Value{
		"now": structpb.NewStringValue(now.UTC().Format(time.RFC3339Nano)),
		// no one-time grant counts but for a check that consumes it
		"consume": structpb.NewStringValue(""),
	}}
}

// questionContext is q's context at now: the moment, the amount when q
// gives one (grants limited by amount compare it with their limit) and the
// ip when it gives one (grants limited to networks).
func questionContext(q domain.Given, now time.Time) (*structpb.Struct, error) {
	c := nowContext(now)
	if q.Amount != "" {
		amount, err := strconv.ParseFloat(q.Amount, 64)
		if err != nil {
			return nil, &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "context.amount", Message: fmt.Sprintf("%q is not a number", q.Amount)}
		}
		if _, err := domain.ParseAmount(amount); err != nil {
			return nil, err // never read as another amount: a limit would hold for it
		}
		c.Fields["amount"] = structpb.NewNumberValue(amount)
	}
	if q.IP != "" {
		ip, err := domain.ParseIP(q.IP)
		if err != nil {
			return nil, &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "context.ip", Message: err.Error()}
		}
		c.Fields["ip"] = structpb.NewStringValue(ip)
	}
	if q.Consume != "" {
		c.Fields["consume"] = structpb.NewStringValue(q.Consume)
	}
	return c, nil
}

// conditional reads a CONDITIONAL answer: whether it is one, and the context
// it needed that the question did not give.
func conditional(p v1.CheckPermissionResponse_Permissionship, info *v1.PartialCaveatInfo) (bool, []string) {
	if p != v1.CheckPermissionResponse_PERMISSIONSHIP_CONDITIONAL_PERMISSION {
		return false, nil
	}
	return true, missingOf(info)
}

// missingOf is the context a conditional answer needs, sorted, once each.
func missingOf(info *v1.PartialCaveatInfo) []string {
	missing := slices.Clone(info.GetMissingRequiredContext())
	slices.Sort(missing)
	return slices.Compact(missing)
}

// toFilter is f as SpiceDB's relationship filter.
func toFilter(f domain.Filter) *v1.RelationshipFilter {
	out := &v1.RelationshipFilter{ResourceType: f.ResourceType, OptionalResourceId: f.ResourceID, OptionalResourceIdPrefix: f.ResourceIDPrefix, OptionalRelation: f.Relation}
	if f.SubjectType != "" {
		out.OptionalSubjectFilter = &v1.SubjectFilter{SubjectType: f.SubjectType, OptionalSubjectId: f.SubjectID}
	}
	return out
}

func toOperation(op domain.Op) v1.RelationshipUpdate_Operation {
	switch op {
	case domain.Create:
		return v1.RelationshipUpdate_OPERATION_CREATE
	case domain.Delete:
		return v1.RelationshipUpdate_OPERATION_DELETE
	}
	return v1.RelationshipUpdate_OPERATION_TOUCH
}

func fromRelationship(r *v1.Relationship) domain.Relationship {
	out := domain.Relationship{
		Resource: domain.Object{Type: r.GetResource().GetObjectType(), ID: r.GetResource().GetObjectId()},
		Relation: r.GetRelation(),
		Subject: domain.Subject{
			Type:     r.GetSubject().GetObject().GetObjectType(),
			ID:       r.GetSubject().GetObject().GetObjectId(),
			Relation: r.GetSubject().GetOptionalRelation(),
		},
		Expires: expires(r),
	}
	if c := r.GetOptionalCaveat(); c != nil {
		if with, err := out.WithCaveat(c.GetCaveatName(), c.GetContext().AsMap(), out.Expires); err == nil {
			out = with
		} else {
			// Not Ward's: kept as a relationship that never counts, so
			// that Ward neither grants on it nor mistakes it for an
			// unconditional one.
			out = out.Lasting(domain.NeverCounts())
		}
	}
	return out
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

// fromTrace is SpiceDB's debug trace of a check as domain terms.
func fromTrace(t *v1.CheckDebugTrace) domain.TraceNode {
	if t == nil {
		return domain.TraceNode{}
	}
	n := domain.TraceNode{
		Resource: domain.Object{Type: t.GetResource().GetObjectType(), ID: t.GetResource().GetObjectId()},
		Name:     t.GetPermission(),
		Relation: t.GetPermissionType() == v1.CheckDebugTrace_PERMISSION_TYPE_RELATION,
		Subject:  domain.Object{Type: t.GetSubject().GetObject().GetObjectType(), ID: t.GetSubject().GetObject().GetObjectId()},
		Found:    t.GetResult() == v1.CheckDebugTrace_PERMISSIONSHIP_HAS_PERMISSION,
	}
	for _, sub := range t.GetSubProblems().GetTraces() {
		n.Children = append(n.Children, fromTrace(sub))
	}
	// SpiceDB reports a caveated relationship it found as conditional. Where
	// it evaluated the caveat there (its own, or the ones on the way joined:
	// then unnamed), the result says whether it was found. A stored relation
	// of one object reported conditional with no evaluation was found under
	// a caveat evaluated above it (a holding's membership under the limit of
	// the grant that reached it); for several objects at once it cannot say
	// which, and stays not found.
	conditional := t.GetResult() == v1.CheckDebugTrace_PERMISSIONSHIP_CONDITIONAL_PERMISSION
	info := t.GetCaveatEvaluationInfo()
	evaluated := info.GetResult() != v1.CaveatEvalInfo_RESULT_UNSPECIFIED
	n.Found = n.Found || (conditional && !evaluated && n.Relation && !strings.Contains(n.Resource.ID, ","))
	if evaluated {
		switch info.GetResult() {
		case v1.CaveatEvalInfo_RESULT_TRUE:
			n.Condition = "held"
			n.Found = n.Found || conditional
		case v1.CaveatEvalInfo_RESULT_FALSE:
			n.Condition = "did not hold"
		case v1.CaveatEvalInfo_RESULT_MISSING_SOME_CONTEXT:
			n.Condition = "need " + strings.Join(info.GetPartialCaveatInfo().GetMissingRequiredContext(), " and ") + ", which the question did not give"
		}
		// What the question gave; the relationship's own values (windows,
		// terms, limit) are in the grant the step names.
		var with []string
		for _, k := range []string{"now", "ip", "amount"} {
			if v, ok := info.GetContext().GetFields()[k]; ok {
				with = append(with, fmt.Sprint(k, " ", v.AsInterface()))
			}
		}
		n.With = strings.Join(with, ", ")
		if n.With == "" {
			n.With = "no context"
		}
	}
	return n
}
