package domain

import (
	"slices"
	"strings"
)

// Matrix is what every role of a practice may do: for each role and each
// permission, the level it reaches ("all", "own" or "none"). It is computed from
// the grants SpiceDB holds for the practice, so it shows the practice as it is,
// custom roles, changes and settings included.
type Matrix struct {
	Workspace   string                       `json:"workspace"`
	Preset      string                       `json:"preset"`
	Roles       []string                     `json:"roles"`
	Permissions []string                     `json:"permissions"`
	Cells       map[string]map[string]string `json:"cells"`
}

// Matrix levels.
const (
	MatrixAll   = "all"
	MatrixOwn   = "own"
	MatrixNone  = "none"
	MatrixOwner = "owner"
)

// MatrixOf computes the matrix of a practice from its state.
func MatrixOf(pr Practice) Matrix {
	m := Matrix{Workspace: pr.WS, Preset: pr.Preset(), Cells: map[string]map[string]string{}}
	if preset := Presets[m.Preset]; preset != nil {
		for _, r := range preset.Roles {
			if pr.HasRole(r.Name) {
				m.Roles = append(m.Roles, r.Name)
			}
		}
	}
	for _, r := range pr.Roles() {
		if !slices.Contains(m.Roles, r) {
			m.Roles = append(m.Roles, r)
		}
	}
	for _, typ := range []string{TypeWorkspace, TypeLocation, TypeRole, TypeClient, TypeNote, TypeLetter, TypeFile, TypeForm, TypeAppointment, TypeInvoice, TypeExpense} {
		for _, p := range Permissions[typ] {
			m.Permissions = append(m.Permissions, typ+"."+p.Name)
		}
	}
	for _, role := range m.Roles {
		grants := pr.Grants(role)
		row := map[string]string{}
		for _, name := range m.Permissions {
			typ, perm, _ := strings.Cut(name, ".")
			p, _ := LookupPermission(typ, perm)
			row[name] = cell(pr, role, grants, p)
		}
		m.Cells[role] = row
	}
	return m
}

func cell(pr Practice, role string, grants map[Capability]Level, p Permission) string {
	if p.Calendar {
		if pr.RoleHasCalendar(role) {
			return MatrixAll
		}
		return MatrixNone
	}
	best := LevelNone
	for _, c := range p.Caps {
		if l := grants[c]; rank(l) > rank(best) {
			best = l
		}
	}
	if best == LevelOwn && !p.Own {
		best = LevelNone
	}
	if p.HolderManager && best == LevelNone {
		if pr.S.Has(Relationship{Resource: roleObj(pr.WS, role), Relation: "holder_manager", Subject: bindingMembers(BindingID(pr.WS, role, ""))}) {
			return MatrixOwn // the holders of this role manage who holds it
		}
	}
	switch {
	case best == LevelFull:
		return MatrixAll
	case best == LevelOwn:
		return MatrixOwn
	case p.Owner:
		return MatrixOwner
	}
	return MatrixNone
}
