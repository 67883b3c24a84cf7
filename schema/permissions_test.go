package schema

import (
	"strings"
	"testing"

	"github.com/authzed/spicedb/pkg/development"

	"github.com/wardhq/ward/internal/domain"
)

// TestEveryPermissionIsFromTheCatalogue: the schema's permissions are exactly
// the ones the catalogue declares and the helpers generated for them, so a
// permission written into schema.zed.tmpl by hand fails here.
func TestEveryPermissionIsFromTheCatalogue(t *testing.T) {
	compiled, devErr, err := development.CompileSchema(Text)
	if err != nil || devErr != nil {
		t.Fatalf("schema does not compile: %v %v", err, devErr)
	}
	perms, err := permissions()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for typ, ps := range perms {
		for _, p := range ps {
			want[typ+"#"+p.Name] = true
		}
	}
	for _, def := range compiled.ObjectDefinitions {
		for _, r := range def.GetRelation() {
			name := def.GetName() + "#" + r.GetName()
			if r.GetUsersetRewrite() == nil {
				continue
			}
			if !want[name] {
				t.Errorf("permission %s is in schema.zed but not in the catalogue (internal/domain Permissions): declare it there", name)
			}
			delete(want, name)
		}
	}
	for name := range want {
		t.Errorf("permission %s is in the catalogue but not in schema.zed: run go generate ./schema", name)
	}
}

// TestPermissionRules pins what each flag of a catalogue permission becomes
// in the schema, and that a flag which means nothing on a type is refused.
func TestPermissionRules(t *testing.T) {
	notesView, notesEdit := domain.Cap("notes", domain.ActionView), domain.Cap("notes", domain.ActionEdit)
	staffEdit := domain.Cap("staff", domain.ActionEdit)
	for _, tc := range []struct {
		name, typ string
		p         domain.Permission
		want      string // the expression, or a part of the error
		fails     bool
	}{
		{"owner and capability", domain.TypeWorkspace, domain.Permission{Owner: true, Caps: []domain.Capability{domain.Cap("permissions", domain.ActionEdit)}}, "(owner & active) + permissions_edit", false},
		{"owner alone", domain.TypeWorkspace, domain.Permission{Owner: true}, "owner & active", false},
		{"own level", domain.TypeWorkspace, domain.Permission{Own: true, Caps: []domain.Capability{domain.Cap("reports", domain.ActionView)}}, "reports_view + reports_view_own", false},
		{"own level of an area without one", domain.TypeWorkspace, domain.Permission{Own: true, Caps: []domain.Capability{domain.Cap("settings", domain.ActionEdit)}}, "no own level", true},
		{"unknown action", domain.TypeWorkspace, domain.Permission{Caps: []domain.Capability{domain.Cap("sms", domain.ActionView)}}, "not an action", true},
		{"nothing grants it", domain.TypeWorkspace, domain.Permission{}, "nothing grants it", true},
		{"notes access on the workspace", domain.TypeWorkspace, domain.Permission{NotesReader: true, Caps: []domain.Capability{staffEdit}}, "NotesReader means nothing on workspace", true},
		{"location reads the workspace's twin", domain.TypeLocation, domain.Permission{Caps: []domain.Capability{domain.Cap("appointments", domain.ActionView)}}, "appointments_view + workspace->view_all_calendars", false},
		{"location without a workspace twin", domain.TypeLocation, domain.Permission{Caps: []domain.Capability{notesView}}, "want a workspace permission", true},
		{"role holders manage holders", domain.TypeRole, domain.Permission{Caps: []domain.Capability{staffEdit}, HolderManager: true}, "workspace->manage_staff + (holder_manager & workspace->active)", false},
		{"client with notes access", domain.TypeClient, domain.Permission{Own: true, NotesReader: true, Caps: []domain.Capability{notesView}}, "notes_view + (notes_reader & workspace->active)", false},
		{"client without its own clients", domain.TypeClient, domain.Permission{Caps: []domain.Capability{notesView}}, "set Own", true},
		{"client reading an unlocated area", domain.TypeClient, domain.Permission{Own: true, Caps: []domain.Capability{domain.Cap("expenses", domain.ActionView)}}, "not located", true},
		{"note readers", domain.TypeNote, domain.Permission{Own: true, NotesReader: true, Caps: []domain.Capability{notesView}}, "client->notes_readers + (author & client->notes_view_own_holders)", false},
		{"draft notes", domain.TypeNote, domain.Permission{Own: true, AuthorDraft: true, Caps: []domain.Capability{notesEdit}}, "(client->notes_edit_all_holders + (author & client->notes_edit_own_holders)) - finalized", false},
		{"authored records of an area without authors", domain.TypeFile, domain.Permission{Own: true, Caps: []domain.Capability{domain.Cap("forms", domain.ActionView)}}, "no written level", true},
		{"restricted template, edit", domain.TypeForm, domain.Permission{Name: "edit", Own: true, Template: true, Caps: []domain.Capability{domain.Cap("forms", domain.ActionEdit)}}, "client->forms_edit - template->restricted", false},
		{"past appointments", domain.TypeAppointment, domain.Permission{Own: true, PastToo: true, Caps: []domain.Capability{domain.Cap("appointments", domain.ActionEdit)}}, "appointments_edit & workspace->past_appointments_edit", false},
		{"past on an invoice is fine, a template is not", domain.TypeInvoice, domain.Permission{Own: true, Template: true, Caps: []domain.Capability{domain.Cap("invoices", domain.ActionView)}}, "Template means nothing on invoice", true},
		{"never oneself and oneself", domain.TypeStaffMember, domain.Permission{Owner: true, NotSelf: true, SelfCaps: []domain.Capability{domain.Cap("office_staff_profiles", domain.ActionEdit)}, Caps: []domain.Capability{domain.Cap("permissions", domain.ActionEdit)}}, "contradict", true},
		{"no rule for the type", "user", domain.Permission{}, "no schema rule", true},
		{"notes access never edits drafts", domain.TypeNote, domain.Permission{Own: true, AuthorDraft: true, NotesReader: true, Caps: []domain.Capability{notesEdit}}, "AuthorDraft with NotesReader", true},
		{"a letter without its client's own level", domain.TypeLetter, domain.Permission{Caps: []domain.Capability{domain.Cap("letters", domain.ActionView)}}, "set Own", true},
		{"a form without its client's own level", domain.TypeForm, domain.Permission{Name: "view", Caps: []domain.Capability{domain.Cap("forms", domain.ActionView)}}, "set Own", true},
		{"an appointment at the full level only", domain.TypeAppointment, domain.Permission{Caps: []domain.Capability{domain.Cap("appointments", domain.ActionEdit)}}, "scope->appointments_edit", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := &gen{helpers: map[string]map[string]bool{}}
			got, err := g.expr(tc.typ, tc.p)
			switch {
			case tc.fails && err == nil:
				t.Fatalf("got %q, want an error containing %q", got, tc.want)
			case tc.fails && !strings.Contains(err.Error(), tc.want):
				t.Fatalf("error %q, want it to contain %q", err, tc.want)
			case !tc.fails && err != nil:
				t.Fatal(err)
			case !tc.fails && got != tc.want:
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
