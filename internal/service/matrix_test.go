package service_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/testenv"
)

// matrixPractice is a new practice of preset with one workspace-wide holder
// of each of its roles (h0, h1, ... in the preset's order), each with records
// of their own (a client of theirs, or shared with them, and its note,
// letter, file, form, appointment and invoice, and an expense, all written by
// them), and records of no one's among them (by the owner), all at l1.
func matrixPractice(preset *domain.Preset) string {
	var b strings.Builder
	add := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	add(`{"type":"workspace.created","workspace":"w","owner":"o","preset":%q}`, preset.Name)
	add(`{"type":"location.created","workspace":"w","location":"l1"}`)
	cal := ""
	for _, r := range preset.Roles {
		if r.Calendar && cal == "" {
			cal = "cal"
			add(`{"type":"staff.added","workspace":"w","user":"cal","role":%q}`, r.Name)
		}
	}
	records := func(suffix, client, author, practitioner string) {
		add(`{"type":"note.created","workspace":"w","note":"n%s","client":%q,"author":%q}`, suffix, client, author)
		add(`{"type":"letter.created","workspace":"w","letter":"l%s","client":%q,"author":%q}`, suffix, client, author)
		add(`{"type":"file.uploaded","workspace":"w","file":"f%s","client":%q,"author":%q}`, suffix, client, author)
		add(`{"type":"form.completed","workspace":"w","form":"fm%s","client":%q}`, suffix, client)
		add(`{"type":"expense.created","workspace":"w","expense":"e%s","author":%q}`, suffix, author)
		add(`{"type":"message.posted","workspace":"w","message":"m%s","author":%q}`, suffix, author)
		add(`{"type":"invoice.created","workspace":"w","invoice":"i%s","client":%q}`, suffix, client)
		if practitioner != "" {
			add(`{"type":"appointment.booked","workspace":"w","appointment":"a%s","client":%q,"practitioner":%q}`, suffix, client, practitioner)
		}
	}
	add(`{"type":"client.created","workspace":"w","client":"cx","location":"l1"}`)
	records("x", "cx", "o", cal)
	for i, r := range preset.Roles {
		h := fmt.Sprintf("h%d", i)
		add(`{"type":"staff.added","workspace":"w","user":%q,"role":%q}`, h, r.Name)
		practitioner := cal
		if r.Calendar {
			practitioner = h
		}
		if r.Calendar {
			add(`{"type":"client.created","workspace":"w","client":"c%d","location":"l1","practitioner":%q}`, i, h)
		} else {
			add(`{"type":"client.created","workspace":"w","client":"c%d","location":"l1"}`, i)
			add(`{"type":"patient.shared","workspace":"w","client":"c%d","user":%q}`, i, h)
		}
		records(fmt.Sprint(i), fmt.Sprintf("c%d", i), h, practitioner)
	}
	return b.String()
}

// matrixQuestion is one cell's question about a record of the holder's own
// or of no one's, and the answer the cell promises.
type matrixQuestion struct {
	q        domain.Question
	want     bool
	cell     string
	ownOrNot string
}

// TestMatrixAgreesWithSpiceDB asks SpiceDB every cell of every preset's
// matrix: the holder of each single role, about records of their own and of
// no one's, must be allowed exactly where the matrix says (all: both; own
// and written: their own only; owner and none: neither). A role is asked
// about itself and about the preset's first changeable role.
func TestMatrixAgreesWithSpiceDB(t *testing.T) {
	t.Parallel()
	for _, name := range domain.PresetNames() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			preset := domain.Presets[name]
			c := testenv.SpiceDB(t)
			if _, err := c.Import(ctx, testenv.Parsed(t, matrixPractice(preset))); err != nil {
				t.Fatal(err)
			}
			m, err := c.Matrix(ctx, "w")
			if err != nil {
				t.Fatal(err)
			}
			editable := ""
			for _, r := range preset.Roles {
				if !r.Fixed && editable == "" {
					editable = r.Name
				}
			}
			var qs []matrixQuestion
			for i, role := range preset.Roles {
				user := domain.Object{Type: domain.TypeUser, ID: fmt.Sprintf("h%d", i)}
				for _, perm := range m.Permissions {
					typ, p, _ := strings.Cut(perm, ".")
					cell := m.Cells[role.Name][perm]
					own, other := matrixRecords(typ, i, role.Name, editable)
					for _, side := range []struct {
						id, which string
						want      bool
					}{
						{own, "own", cell == domain.MatrixAll || cell == domain.MatrixOwn || cell == domain.MatrixWritten},
						{other, "no one's", cell == domain.MatrixAll || (cell == domain.MatrixOwn || cell == domain.MatrixWritten) && own == other},
					} {
						if side.id == "" {
							continue
						}
						q := domain.Question{Subject: user, Permission: p, Resource: domain.Object{Type: typ, ID: side.id}}
						if target, ok := preset.Role(strings.TrimPrefix(side.id, "w/")); typ == domain.TypeRole && p == "edit" && ok && target.Fixed {
							side.want = false // nobody changes a fixed role, whatever they may do to others
						}
						qs = append(qs, matrixQuestion{q: q, want: side.want, cell: cell, ownOrNot: side.which})
					}
				}
			}
			wrong := 0
			for start := 0; start < len(qs); start += 1000 {
				chunk := qs[start:min(start+1000, len(qs))]
				questions := make([]domain.Question, len(chunk))
				for i, mq := range chunk {
					questions[i] = mq.q
				}
				ds, _, err := c.CheckBulk(ctx, questions, "")
				if err != nil {
					t.Fatal(err)
				}
				for i, d := range ds {
					mq := chunk[i]
					if d.Err != nil || d.Allowed != mq.want {
						wrong++
						t.Errorf("%s (%s) %s %s (%s): SpiceDB says %v (%v), the matrix says %q", mq.q.Subject.ID, roleOf(preset, mq.q.Subject.ID), mq.q.Permission, mq.q.Resource, mq.ownOrNot, d.Allowed, d.Err, mq.cell)
					}
				}
			}
			t.Logf("%d cells asked as %d questions, %d disagree", len(preset.Roles)*len(m.Permissions), len(qs), wrong)
		})
	}
}

// matrixRecords names the resources a cell is asked about: one of the
// holder's own and one of no one's (the same object for a workspace or
// location, where own means the holder's own records count).
func matrixRecords(typ string, i int, role, editable string) (own, other string) {
	switch typ {
	case domain.TypeWorkspace:
		return "w", "w"
	case domain.TypeLocation:
		return "l1", "l1"
	case domain.TypeRole:
		if editable == role {
			return "w/" + role, ""
		}
		return "w/" + role, "w/" + editable
	}
	prefix := map[string]string{domain.TypeClient: "c", domain.TypeNote: "n", domain.TypeLetter: "l", domain.TypeFile: "f",
		domain.TypeForm: "fm", domain.TypeAppointment: "a", domain.TypeInvoice: "i", domain.TypeExpense: "e", domain.TypeMessage: "m"}[typ]
	if typ == domain.TypeClient {
		return fmt.Sprintf("c%d", i), "cx"
	}
	return fmt.Sprintf("%s%d", prefix, i), prefix + "x"
}

func roleOf(preset *domain.Preset, user string) string {
	var i int
	if _, err := fmt.Sscanf(user, "h%d", &i); err == nil && i < len(preset.Roles) {
		return preset.Roles[i].Name
	}
	return "?"
}
