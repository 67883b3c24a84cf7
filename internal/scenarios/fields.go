package scenarios

import "github.com/wardhq/ward/internal/domain"

// Fields is a POST /v1/fields question and the answer it must get: every
// field group of the resource, by name.
type Fields struct {
	Subject, Resource string
	Want              map[string]domain.FieldAccess
	// IP is the question's context.ip ("" for none).
	IP string
}

// FieldsAsker is a Client that can ask which field groups of a record a
// subject may see and change.
type FieldsAsker interface {
	Fields(subject, resource, ip string) (map[string]domain.FieldAccess, error)
}

var (
	seesAll     = domain.FieldAccess{View: true, Edit: true}
	seesNothing = domain.FieldAccess{}
	seesOnly    = domain.FieldAccess{View: true}
)

// sensitiveFields: the clients area's identifiers and insurance, granted on
// their own (docs/model.md, "Sensitive fields").
var sensitiveFields = []Scenario{
	{Name: "sensitive_fields_follow_their_own_grants", Steps: []Step{
		// Caspen's defaults: the receptionist sees and changes insurance but no
		// identifiers; a practitioner both, for their own clients only; the
		// accountant, who sees no contact details, neither.
		{Checks: []Check{
			yes("user:rita", "view_insurance", "client:ann"), yes("user:rita", "edit_insurance", "client:ann"),
			no("user:rita", "view_identifiers", "client:ann"), no("user:maya", "view_identifiers", "client:ann"),
			yes("user:priya", "view_identifiers", "client:ann"), yes("user:priya", "edit_identifiers", "client:ann"),
			no("user:priya", "view_identifiers", "client:ben"), no("user:priya", "view_insurance", "client:ben"),
			no("user:alex", "view_insurance", "client:ann"), no("user:alex", "view_identifiers", "client:ann"),
			yes("user:olivia", "view_identifiers", "client:cat"),
		},
			Fields: []Fields{
				{Subject: "user:rita", Resource: "client:ann", Want: map[string]domain.FieldAccess{"identifiers": seesNothing, "insurance": seesAll}},
				{Subject: "user:priya", Resource: "client:ann", Want: map[string]domain.FieldAccess{"identifiers": seesAll, "insurance": seesAll}},
				{Subject: "user:priya", Resource: "client:ben", Want: map[string]domain.FieldAccess{"identifiers": seesNothing, "insurance": seesNothing}},
			},
			Lookups: []Lookup{
				{Subject: "user:priya", Permission: "view_identifiers", ResourceType: "client", Want: []string{"client:ann"}},
				{Subject: "user:rita", Permission: "view_insurance", ResourceType: "client", Want: []string{"client:ann", "client:ben", "client:cat"}},
			},
			Explanations: []Explanation{
				{no("user:rita", "view_identifiers", "client:ann"), "rita holds role receptionist workspace-wide, which has clients view_identifiers: none"},
			}},
		// A group is granted by name, like an action.
		{Events: `{"type":"role.updated","workspace":"p1","role":"receptionist","grants":{"clients":{"view_identifiers":"all"}}}`,
			Checks: []Check{yes("user:rita", "view_identifiers", "client:ann"), no("user:rita", "edit_identifiers", "client:ann")},
			Fields: []Fields{{Subject: "user:rita", Resource: "client:cat", Want: map[string]domain.FieldAccess{"identifiers": seesOnly, "insurance": seesAll}}}},
		// An area-wide level never reaches a group, except none.
		{Events: `{"type":"role.defined","workspace":"p1","role":"front","grants":{"clients":"all"}}
{"type":"staff.added","workspace":"p1","user":"fay","role":"front"}
{"type":"role.updated","workspace":"p1","role":"receptionist","grants":{"clients":"none"}}`,
			Checks: []Check{
				yes("user:fay", "edit", "client:ann"), no("user:fay", "view_insurance", "client:ann"), no("user:fay", "view_identifiers", "client:ann"),
				no("user:rita", "view_identifiers", "client:ann"), no("user:rita", "view_insurance", "client:ann"),
			}},
		// A group alone shows nothing: it is seen only with the client's
		// contact details, and changed only where the client may be.
		{Events: `{"type":"role.defined","workspace":"p1","role":"insurer","grants":{"clients":{"view_insurance":"all","edit_insurance":"all","view":"all"}}}
{"type":"staff.added","workspace":"p1","user":"ivy","role":"insurer"}
{"type":"role.updated","workspace":"p1","role":"receptionist","grants":{"clients":{"view_identifiers":"all"}}}`,
			Checks: []Check{
				yes("user:ivy", "view_insurance", "client:ann"), no("user:ivy", "edit_insurance", "client:ann"),
				no("user:rita", "view_identifiers", "client:ann"),
			},
			Fields: []Fields{{Subject: "user:ivy", Resource: "client:ann", Want: map[string]domain.FieldAccess{"identifiers": seesNothing, "insurance": seesOnly}}},
			Explanations: []Explanation{
				{no("user:ivy", "edit_insurance", "client:ann"), "edit_insurance also needs edit on client:ann, which ivy does not have"},
				{no("user:rita", "view_identifiers", "client:ann"), "view_identifiers also needs view_contact on client:ann, which rita does not have"},
			}},
	}},
}
