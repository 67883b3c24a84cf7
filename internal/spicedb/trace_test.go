package spicedb

import (
	"testing"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
)

// TestTraceOfConditionalRelations: SpiceDB reports a caveated relationship
// it found as conditional. Its step is found where its caveat held, not
// where it did not hold or lacked context, and a stored relation reported
// conditional under a caveat above it (a holding's membership under a
// grant's limit) was found.
func TestTraceOfConditionalRelations(t *testing.T) {
	nodeOf := func(ids, name string, result v1.CheckDebugTrace_Permissionship, caveat v1.CaveatEvalInfo_Result) *v1.CheckDebugTrace {
		tr := &v1.CheckDebugTrace{
			Resource:       &v1.ObjectReference{ObjectType: "location", ObjectId: ids},
			Permission:     "invoices_approve_limited",
			PermissionType: v1.CheckDebugTrace_PERMISSION_TYPE_RELATION,
			Subject:        &v1.SubjectReference{Object: &v1.ObjectReference{ObjectType: "user", ObjectId: "maya"}},
			Result:         result,
		}
		if caveat != v1.CaveatEvalInfo_RESULT_UNSPECIFIED {
			tr.CaveatEvaluationInfo = &v1.CaveatEvalInfo{CaveatName: name, Result: caveat}
		}
		return tr
	}
	node := func(result v1.CheckDebugTrace_Permissionship, caveat v1.CaveatEvalInfo_Result) *v1.CheckDebugTrace {
		return nodeOf("north", "amount_below", result, caveat)
	}
	const conditional, none = v1.CheckDebugTrace_PERMISSIONSHIP_CONDITIONAL_PERMISSION, v1.CheckDebugTrace_PERMISSIONSHIP_NO_PERMISSION
	for _, tt := range []struct {
		name  string
		trace *v1.CheckDebugTrace
		found bool
	}{
		{"its caveat held", node(conditional, v1.CaveatEvalInfo_RESULT_TRUE), true},
		{"its caveat did not hold", node(conditional, v1.CaveatEvalInfo_RESULT_FALSE), false},
		{"its caveat lacked context", node(conditional, v1.CaveatEvalInfo_RESULT_MISSING_SOME_CONTEXT), false},
		{"under a caveat above it", node(conditional, v1.CaveatEvalInfo_RESULT_UNSPECIFIED), true},
		{"not found", node(none, v1.CaveatEvalInfo_RESULT_UNSPECIFIED), false},
		{"joined caveats held (unnamed)", nodeOf("north", "", conditional, v1.CaveatEvalInfo_RESULT_TRUE), true},
		{"joined caveats did not hold (unnamed)", nodeOf("north", "", conditional, v1.CaveatEvalInfo_RESULT_FALSE), false},
		{"several objects, none evaluated", nodeOf("north,south", "", conditional, v1.CaveatEvalInfo_RESULT_UNSPECIFIED), false},
	} {
		if got := fromTrace(tt.trace).Found; got != tt.found {
			t.Errorf("%s: found=%v, want %v", tt.name, got, tt.found)
		}
	}
}
