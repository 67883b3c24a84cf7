package domain

import (
	"fmt"
	"slices"
	"strings"
)

// Matrix is what every role of a practice may do: for each role and each
// permission, the level it reaches ("all", "own", "written", "owner", "none",
// or "below N" for a grant limited to amounts below N). It is computed from
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
	MatrixAll = "all"
	MatrixOwn = "own"
	// MatrixWritten: only the records the user wrote or uploaded.
	MatrixWritten = "written"
	MatrixNone    = "none"
	MatrixOwner   = "owner"
)

// MatrixNeeds is what the matrix of workspace ws reads: the practice
// narrowly (its roles, their grants and calendars), none of its staff.
func MatrixNeeds(ws string) Needs { return Needs{Workspaces: []string{ws}, Narrow: true} }

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
	for _, typ := range []string{TypeWorkspace, TypeLocation, TypeRole, TypeClient, TypeNote, TypeLetter, TypeFile, TypeForm, TypeAppointment, TypeInvoice, TypeExpense, TypeMessage} {
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
			row[name] = cell(pr, role, grants, typ, p)
		}
		m.Cells[role] = row
	}
	return m
}

func cell(pr Practice, role string, grants map[Capability]Level, typ string, p Permission) string {
	out := cellReach(pr, role, grants, p)
	if p.Within != "" {
		// a field group reaches no further than the record permission it
		// is within
		within, _ := LookupPermission(typ, p.Within)
		if inner := cellReach(pr, role, grants, within); matrixRank(inner) < matrixRank(out) {
			out = inner
		}
	}
	return out
}

// matrixRank orders the cells a permission within another is narrowed by.
func matrixRank(cell string) int {
	return slices.Index([]string{MatrixNone, MatrixWritten, MatrixOwn, MatrixAll}, cell)
}

func cellReach(pr Practice, role string, grants map[Capability]Level, p Permission) string {
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
	if (best == LevelOwn && !p.Own) || (best == LevelWritten && !p.Written()) {
		best = LevelNone
	}
	if p.PastToo && grants[PastEdit] != LevelFull {
		best = LevelNone // the past also needs past appointments edit
	}
	if p.HolderManager && best == LevelNone {
		if pr.S.Has(Relationship{Resource: roleObj(pr.WS, role), Relation: "holder_manager", Subject: bindingMembers(BindingID(pr.WS, role, ""))}) {
			return MatrixOwn // the holders of this role manage who holds it
		}
	}
	if best == LevelNone {
		for _, c := range p.Caps {
			if limit, ok := pr.Limits(role)[c]; ok {
				return "below " + limit
			}
		}
	}
	switch {
	case best == LevelFull:
		return MatrixAll
	case best == LevelOwn:
		return MatrixOwn
	case best == LevelWritten:
		return MatrixWritten
	case p.Owner:
		return MatrixOwner
	}
	return MatrixNone
}

// Markdown renders the matrix as a Markdown table, permissions as rows.
func (m Matrix) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| permission | %s |\n|---|%s\n", strings.Join(m.Roles, " | "), strings.Repeat("---|", len(m.Roles)))
	for _, p := range m.Permissions {
		cells := make([]string, len(m.Roles))
		for i, r := range m.Roles {
			cells[i] = m.Cells[r][p]
			if cells[i] == MatrixNone {
				cells[i] = ""
			}
		}
		fmt.Fprintf(&b, "| %s | %s |\n", p, strings.Join(cells, " | "))
	}
	return b.String()
}

// Text renders the matrix as an aligned table for terminals.
func (m Matrix) Text() string {
	width := len("permission")
	for _, p := range m.Permissions {
		width = max(width, len(p))
	}
	cols := make([]int, len(m.Roles))
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s", width, "permission")
	for i, r := range m.Roles {
		cols[i] = max(len(r), len(MatrixOwner))
		fmt.Fprintf(&b, "  %-*s", cols[i], r)
	}
	b.WriteString("\n")
	for _, p := range m.Permissions {
		fmt.Fprintf(&b, "%-*s", width, p)
		for i, r := range m.Roles {
			v := m.Cells[r][p]
			if v == MatrixNone {
				v = "-"
			}
			fmt.Fprintf(&b, "  %-*s", cols[i], v)
		}
		b.WriteString("\n")
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return strings.Join(lines, "\n")
}
