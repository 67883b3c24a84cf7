package domain

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Records Ward keeps beside relationships: an emergency opening's and a
// request for access's reason, times and decisions are JSON kept in
// ward_text IDs (textRels) of the object's record relation, so that they
// are written in the same atomic write as what they grant. Their objects
// are WORKSPACE/ID.

// recordOf reads obj's record into rec, and obj's practice and ID; false
// when s holds no record of it.
func recordOf(s *State, obj Object, rec any) (ws, id string, ok bool) {
	ws, id, ok = strings.Cut(obj.ID, "/")
	data, found := textOf(s, obj, "record")
	if !ok || !found || json.Unmarshal(data, rec) != nil {
		return "", "", false
	}
	return ws, id, true
}

// setRecordOf writes rec as obj's record, replacing the one it had.
func (p *planner) setRecordOf(obj Object, rec any) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	for _, r := range p.s.Of(obj, "record") {
		p.s.Remove(r)
	}
	for _, r := range textRels(obj, "record", data) {
		p.s.Add(r)
	}
	return nil
}

// recordsOf reads every object of typ in practice ws that s holds a record
// of (read), in the order cmp gives.
func recordsOf[T any](s *State, typ, ws string, read func(*State, Object) (T, bool), cmp func(a, b T) int) []T {
	var out []T
	seen := map[Object]bool{}
	for _, r := range s.WhereType(typ, func(r Relationship) bool { return r.Relation == "record" }) {
		if seen[r.Resource] || !strings.HasPrefix(r.Resource.ID, ws+"/") {
			continue
		}
		seen[r.Resource] = true
		if v, ok := read(s, r.Resource); ok {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, cmp)
	return out
}

// checkList refuses a list's query whose state is not one of states ("":
// all), or one of ids (field: value) given that is not an ID.
func checkList(state string, states []string, ids map[string]string) error {
	if state != "" && !slices.Contains(states, state) {
		return &Error{Code: CodeInvalid, Index: -1, Field: "state", Message: fmt.Sprintf("%q: use %s", state, strings.Join(states, ", "))}
	}
	for _, field := range slices.Sorted(maps.Keys(ids)) {
		if id := ids[field]; id != "" {
			if err := ValidateID(id); err != nil {
				return &Error{Code: CodeInvalid, Index: -1, Field: field, Message: err.Error()}
			}
		}
	}
	return nil
}

// pageOf is the page of all (in order) after the one whose ID is cursor
// ("" from the first), of those keep keeps, at most limit, and the next
// page's cursor ("" on the last); what names the records in the error for
// a cursor that names none.
func pageOf[T any](all []T, id func(T) string, keep func(T) bool, cursor string, limit int, what string) ([]T, string, error) {
	start := 0
	if cursor != "" {
		at := slices.IndexFunc(all, func(v T) bool { return id(v) == cursor })
		if at < 0 {
			return nil, "", &Error{Code: CodeInvalid, Index: -1, Field: "cursor", Message: "names no " + what + " of this practice: give back the cursor of the page before, unchanged"}
		}
		start = at + 1
	}
	out := []T{}
	for _, v := range all[start:] {
		if !keep(v) {
			continue
		}
		if len(out) == limit {
			return out, id(out[len(out)-1]), nil
		}
		out = append(out, v)
	}
	return out, "", nil
}
