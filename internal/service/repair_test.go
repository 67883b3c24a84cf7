package service_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/scenarios"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/testenv"
)

// betweenReadAndWrite is a store that runs hook once, right after the first
// read with a filter that at accepts, before Repair writes: another Ward
// instance serving the same SpiceDB while this one starts.
type betweenReadAndWrite struct {
	service.Store
	at   func(domain.Filter) bool
	hook func()
}

func (b *betweenReadAndWrite) ReadAll(ctx context.Context, at string, filters []domain.Filter) ([]domain.Relationship, string, error) {
	rels, token, err := b.Store.ReadAll(ctx, at, filters)
	if b.hook != nil && slices.ContainsFunc(filters, b.at) {
		hook := b.hook
		b.hook = nil
		hook()
	}
	return rels, token, err
}

// Repair reads in two places another instance's write can come between: its
// scan of every template choice, and its read of one practice before it
// writes that practice's repair.
var repairReads = []struct {
	name string
	at   func(domain.Filter) bool
}{
	{"after the scan", func(f domain.Filter) bool {
		return f.ResourceType == domain.TypeTemplate && f.Relation == "viewer" && f.SubjectID == ""
	}},
	{"after reading the practice", func(f domain.Filter) bool { // its last read: the templates, whole
		return f.ResourceType == domain.TypeTemplate && f.ResourceID != ""
	}},
}

// TestRepairKeepsARevocationMadeMeanwhile: Repair finds a location's missing
// template choice, and another instance revokes the template's choice of the
// role before Repair writes: the revocation stands (an unguarded write put
// the location's choice back).
func TestRepairKeepsARevocationMadeMeanwhile(t *testing.T) {
	t.Parallel()
	for _, rr := range repairReads {
		t.Run(rr.name, func(t *testing.T) {
			t.Parallel()
			repairKeepsARevocationMadeMeanwhile(t, rr.at)
		})
	}
}

func repairKeepsARevocationMadeMeanwhile(t *testing.T, at func(domain.Filter) bool) {
	ctx := context.Background()
	w, left := laterLocation(t)
	store := &betweenReadAndWrite{Store: w.Store, at: at}
	store.hook = func() {
		// The other instance revokes the template's choice of front.
		if _, err := w.Apply(ctx, testenv.Parsed(t, `{"type":"form_template.access_revoked","workspace":"k8","template":"k8t","role":"front"}`)); err != nil {
			t.Fatal(err)
		}
	}
	starting := service.New(store, slog.New(slog.DiscardHandler))
	if _, err := starting.Repair(ctx); err != nil {
		t.Fatal(err)
	}
	if views(t, w, "k8w", "k8fw") {
		t.Errorf("after form_template.access_revoked, k8w (front at k8-west) still views k8fw: Repair wrote back %v, which the revocation had ended", left)
	}
}

// TestRepairKeepsAChoiceMadeMeanwhile: Repair finds a deleted role's
// template choice, and another instance defines the role again and chooses it
// for the template before Repair writes: the new choice (the same
// relationship) stands.
func TestRepairKeepsAChoiceMadeMeanwhile(t *testing.T) {
	t.Parallel()
	for _, rr := range repairReads {
		t.Run(rr.name, func(t *testing.T) {
			t.Parallel()
			repairKeepsAChoiceMadeMeanwhile(t, rr.at)
		})
	}
}

func repairKeepsAChoiceMadeMeanwhile(t *testing.T, at func(domain.Filter) bool) {
	ctx := context.Background()
	w, stale := deletedRole(t)
	store := &betweenReadAndWrite{Store: w.Store, at: at}
	store.hook = func() {
		if _, err := w.Apply(ctx, testenv.Parsed(t, `{"type":"role.defined","workspace":"k10","role":"front","grants":{"clients":{"view":"all"}}}
{"type":"form_template.access_granted","workspace":"k10","template":"k10t","role":"front"}
{"type":"staff.added","workspace":"k10","user":"k10a","role":"front"}`)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := service.New(store, slog.New(slog.DiscardHandler)).Repair(ctx); err != nil {
		t.Fatal(err)
	}
	if !views(t, w, "k10a", "k10f") {
		t.Errorf("k10t chose front after the role was defined again, yet k10a (front) does not view k10f: Repair deleted %v", stale)
	}
}

// laterLocation is a Cliniko practice whose template k8t chose role front
// before location k8-west was created, stored as an earlier Ward left it:
// without the choice at k8-west, which it returns. k8w holds front there.
func laterLocation(t *testing.T) (testenv.Ward, domain.Relationship) {
	t.Helper()
	w := testenv.Practice(t, scenarios.Base+`{"type":"workspace.created","workspace":"k8","owner":"k8o","preset":"cliniko"}
{"type":"role.defined","workspace":"k8","role":"front","grants":{"clients":{"view":"all"}}}
{"type":"form_template.restricted","workspace":"k8","template":"k8t","value":"on"}
{"type":"form_template.access_granted","workspace":"k8","template":"k8t","role":"front"}
{"type":"location.created","workspace":"k8","location":"k8-west"}
{"type":"staff.added","workspace":"k8","user":"k8w","role":"front","location":"k8-west"}
{"type":"client.created","workspace":"k8","client":"k8cw","location":"k8-west"}
{"type":"form.completed","workspace":"k8","form":"k8fw","client":"k8cw","template":"k8t"}`)
	left := domain.Relationship{Resource: domain.Object{Type: domain.TypeTemplate, ID: "k8t"}, Relation: "viewer",
		Subject: domain.Subject{Type: domain.TypeRoleBinding, ID: domain.BindingID("k8", "front", "k8-west"), Relation: "member"}}
	if !views(t, w, "k8w", "k8fw") {
		t.Fatal("k8w does not view the form before the old state is made: the test does not start from this version's state")
	}
	if _, err := w.Store.Write(context.Background(), domain.Write{Updates: []domain.Update{{Op: domain.Delete, Rel: left}}}); err != nil {
		t.Fatal(err)
	}
	if views(t, w, "k8w", "k8fw") {
		t.Fatal("k8w views the form without the location's viewer: the test does not reproduce the earlier state")
	}
	return w, left
}

// deletedRole is a Cliniko practice whose deleted role front's choice of
// template k10t stayed, as an earlier Ward left it; it returns that choice.
func deletedRole(t *testing.T) (testenv.Ward, domain.Relationship) {
	t.Helper()
	w := testenv.Practice(t, scenarios.Base+`{"type":"workspace.created","workspace":"k10","owner":"k10o","preset":"cliniko"}
{"type":"role.defined","workspace":"k10","role":"front","grants":{"clients":{"view":"all"}}}
{"type":"form_template.restricted","workspace":"k10","template":"k10t","value":"on"}
{"type":"client.created","workspace":"k10","client":"k10c"}
{"type":"form.completed","workspace":"k10","form":"k10f","client":"k10c","template":"k10t"}
{"type":"role.deleted","workspace":"k10","role":"front"}`)
	stale := domain.Relationship{Resource: domain.Object{Type: domain.TypeTemplate, ID: "k10t"}, Relation: "viewer",
		Subject: domain.Subject{Type: domain.TypeRoleBinding, ID: domain.BindingID("k10", "front", ""), Relation: "member"}}
	if _, err := w.Store.Write(context.Background(), domain.Write{Updates: []domain.Update{{Op: domain.Touch, Rel: stale}}}); err != nil {
		t.Fatal(err)
	}
	return w, stale
}

// views reports whether user may view form, asked of the store.
func views(t *testing.T, w testenv.Ward, user, form string) bool {
	t.Helper()
	d, err := w.Store.Check(context.Background(), domain.Question{Subject: domain.Object{Type: domain.TypeUser, ID: user}, Permission: "view", Resource: domain.Object{Type: domain.TypeForm, ID: form}}, "")
	if err != nil {
		t.Fatal(err)
	}
	return d.Allowed
}

// repairsTwice runs Repair twice: the first changes want relationships, the
// second none.
func repairsTwice(t *testing.T, w testenv.Ward, want int) {
	t.Helper()
	for round, want := range []int{want, 0} {
		n, err := w.Repair(context.Background())
		if err != nil || n != want {
			t.Fatalf("repair %d changed %d (%v), want %d", round+1, n, err, want)
		}
	}
}

// TestRepairAddsTemplateViewersEarlierVersionsLeftOut: a location created
// after a template chose a role did not get the choice before
// locationCreated gave it; a start repairs a stored practice like that.
func TestRepairAddsTemplateViewersEarlierVersionsLeftOut(t *testing.T) {
	t.Parallel()
	w, _ := laterLocation(t)
	repairsTwice(t, w, 1)
	if !views(t, w, "k8w", "k8fw") {
		t.Error("after the repair k8w still does not view the form")
	}
}

// TestRepairDeletesADeletedRolesTemplateChoices: before roleDeleted read
// them, a deleted role's template choices stayed, and counted for a role
// later defined with its name; a start deletes those of roles that do not
// exist.
func TestRepairDeletesADeletedRolesTemplateChoices(t *testing.T) {
	t.Parallel()
	w, _ := deletedRole(t)
	repairsTwice(t, w, 1)
	if _, err := w.Apply(context.Background(), testenv.Parsed(t, `{"type":"role.defined","workspace":"k10","role":"front","grants":{"clients":{"view":"all"}}}
{"type":"staff.added","workspace":"k10","user":"k10a","role":"front"}`)); err != nil {
		t.Fatal(err)
	}
	if views(t, w, "k10a", "k10f") {
		t.Error("the new role front's holder views the form the deleted role was chosen for")
	}
}

// TestRepairGuardsBuiltInRolesOfOlderPractices: a practice stored before
// roles were guarded has no guard on its practitioner admin role, so its
// practice manager may make anyone practitioner admin; a start adds the
// guard, and then only the owner and practitioner admins may.
func TestRepairGuardsBuiltInRolesOfOlderPractices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := testenv.SpiceDB(t)
	if _, err := w.Apply(ctx, testenv.Parsed(t, `{"type":"workspace.created","workspace":"g1","owner":"go","preset":"caspen"}
{"type":"staff.added","workspace":"g1","user":"gm","role":"practice_manager"}
{"type":"staff.added","workspace":"g1","user":"ga","role":"practitioner_admin"}`)); err != nil {
		t.Fatal(err)
	}
	var del []domain.Update
	if err := w.Export(ctx, func(r domain.Relationship) error {
		if r.Resource.Type == domain.TypeRole && (r.Relation == "guarded" || r.Relation == "peers") {
			del = append(del, domain.Update{Op: domain.Delete, Rel: r})
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(del) != 2 { // Caspen guards only its practitioner admin role
		t.Fatalf("found %d guard relationships, want the practitioner admin role's 2", len(del))
	}
	if _, err := w.Store.Write(ctx, domain.Write{Updates: del}); err != nil {
		t.Fatal(err)
	}
	manages := func(user string) bool {
		t.Helper()
		d, err := w.Store.Check(ctx, domain.Question{Subject: domain.Object{Type: domain.TypeUser, ID: user}, Permission: "manage_holders", Resource: domain.Object{Type: domain.TypeRole, ID: "g1/practitioner_admin"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		return d.Allowed
	}
	if !manages("gm") {
		t.Fatal("without its guard the practitioner admin role should be open to the practice manager: the test would prove nothing")
	}
	repairsTwice(t, w, len(del))
	if manages("gm") || !manages("ga") || !manages("go") {
		t.Errorf("after the repair: practice manager %v, practitioner admin %v, owner %v; want false, true, true", manages("gm"), manages("ga"), manages("go"))
	}
}

// TestRepairBringsFixedRolesUpToTheCatalogue: practices stored before field
// groups existed lack them where no event can give them: Caspen's fixed
// practitioner admin role, and a ClinicSense office staff member's switched
// contact details (whose switch now gives insurance too). A start writes
// them, and the access they give; a second start writes nothing.
func TestRepairBringsFixedRolesUpToTheCatalogue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := testenv.SpiceDB(t)
	if _, err := w.Apply(ctx, testenv.Parsed(t, `{"type":"workspace.created","workspace":"f1","owner":"fo","preset":"caspen"}
{"type":"client.created","workspace":"f1","client":"f1c"}
{"type":"workspace.created","workspace":"f2","owner":"so","preset":"clinicsense"}
{"type":"staff.added","workspace":"f2","user":"os","role":"office_staff"}
{"type":"staff_permission.changed","workspace":"f2","user":"os","permission":"view_client_contact_information","value":"on"}
{"type":"staff.added","workspace":"f2","user":"op","role":"office_staff"}
{"type":"staff_permission.changed","workspace":"f2","user":"op","permission":"view_client_contact_information","value":"on"}
{"type":"staff_permission.changed","workspace":"f2","user":"op","permission":"is_practice_administrator","value":"on"}
{"type":"staff.added","workspace":"f2","user":"orv","role":"office_staff"}
{"type":"staff_permission.changed","workspace":"f2","user":"orv","permission":"view_client_contact_information","value":"on"}
{"type":"role.assigned","workspace":"f2","user":"orv","role":"practitioner"}
{"type":"role.revoked","workspace":"f2","user":"orv","role":"office_staff"}
{"type":"client.created","workspace":"f2","client":"f2c"}`)); err != nil {
		t.Fatal(err)
	}
	old := func(r domain.Relationship) bool {
		field := strings.Contains(r.Relation, "identifiers") || strings.Contains(r.Relation, "insurance") ||
			strings.Contains(r.Subject.ID, "identifiers") || strings.Contains(r.Subject.ID, "insurance")
		return field && (r.Resource.ID == "f1/practitioner_admin" || r.Subject.ID == "fo" || r.Resource.ID == "f2/=os" || r.Subject.ID == "os" ||
			r.Resource.ID == "f2/=op" || r.Resource.ID == "f2/=orv")
	}
	var del []domain.Update
	if err := w.Export(ctx, func(r domain.Relationship) error {
		if old(r) {
			del = append(del, domain.Update{Op: domain.Delete, Rel: r})
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Store.Write(ctx, domain.Write{Updates: del}); err != nil {
		t.Fatal(err)
	}
	asks := func(user, permission, client string) bool {
		t.Helper()
		d, err := w.Store.Check(ctx, domain.Question{Subject: domain.Object{Type: domain.TypeUser, ID: user}, Permission: permission, Resource: domain.Object{Type: domain.TypeClient, ID: client}}, "")
		if err != nil {
			t.Fatal(err)
		}
		return d.Allowed
	}
	if asks("fo", "view_identifiers", "f1c") || asks("os", "view_insurance", "f2c") {
		t.Fatal("the stored practices still have field groups: the test would prove nothing")
	}
	repairsTwice(t, w, len(del))
	rels, _, err := w.Store.ReadAll(ctx, "", domain.CatalogueFilters())
	if err != nil {
		t.Fatal(err)
	}
	if behind := domain.CatalogueBehind(domain.NewState(rels...)); len(behind) > 0 {
		t.Errorf("after the repair %v are still behind the catalogue: every start would repair them again", behind)
	}
	if !asks("fo", "view_identifiers", "f1c") || !asks("fo", "edit_insurance", "f1c") || !asks("os", "view_insurance", "f2c") || asks("os", "edit_insurance", "f2c") {
		t.Errorf("after the repair: owner identifiers %v, insurance %v; office staff insurance %v (edit %v); want true, true, true, false",
			asks("fo", "view_identifiers", "f1c"), asks("fo", "edit_insurance", "f1c"), asks("os", "view_insurance", "f2c"), asks("os", "edit_insurance", "f2c"))
	}
}

// TestRepairMarksTheAccountOwner: practices stored before the account
// owner's staff member was marked let administrators change the owner's
// permissions; a mark left on someone else (moved by hand) would keep
// theirs from everyone. A start moves the mark to the owner alone, and
// says who sees every template's forms; a second start writes nothing.
func TestRepairMarksTheAccountOwner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := testenv.Practice(t, `{"type":"workspace.created","workspace":"m1","owner":"mo","preset":"clinicsense"}
{"type":"staff.added","workspace":"m1","user":"ma","role":"practice_administrator"}
{"type":"staff.added","workspace":"m1","user":"ms","role":"office_staff"}`)
	mark := func(person string) []domain.Relationship {
		obj := domain.Object{Type: domain.TypeStaffMember, ID: domain.StaffMemberID("m1", person)}
		return []domain.Relationship{
			{Resource: obj, Relation: "account_owner", Subject: domain.Subject{Type: domain.TypeUser, ID: "*"}},
			{Resource: obj, Relation: "account_owner", Subject: domain.Subject{Type: domain.TypeServiceAccount, ID: "*"}},
		}
	}
	changes := func(user, target string) bool {
		t.Helper()
		d, err := w.Store.Check(ctx, domain.Question{Subject: domain.Object{Type: domain.TypeUser, ID: user}, Permission: "change_permissions",
			Resource: domain.Object{Type: domain.TypeStaffMember, ID: domain.StaffMemberID("m1", target)}}, "")
		if err != nil {
			t.Fatal(err)
		}
		return d.Allowed
	}
	if changes("ma", "mo") || !changes("mo", "ms") {
		t.Fatal("before the stored marks are changed: an administrator changes the owner's permissions, or the owner not office staff's")
	}
	var old domain.Write
	for _, r := range mark("mo") {
		old.Updates = append(old.Updates, domain.Update{Op: domain.Delete, Rel: r})
	}
	for _, r := range mark("ms") {
		old.Updates = append(old.Updates, domain.Update{Op: domain.Touch, Rel: r})
	}
	// and, stored before it was written, who sees every template's forms
	old.Updates = append(old.Updates, domain.Update{Op: domain.Delete, Rel: domain.Relationship{Resource: domain.Object{Type: domain.TypeWorkspace, ID: "m1"},
		Relation: "sees_every_form", Subject: domain.Subject{Type: domain.TypeRoleBinding, ID: domain.BindingID("m1", "practice_administrator", ""), Relation: "member"}}})
	if _, err := w.Store.Write(ctx, old); err != nil {
		t.Fatal(err)
	}
	if !changes("ma", "mo") || changes("mo", "ms") {
		t.Fatal("the stored marks did not move: the test would prove nothing")
	}
	repairsTwice(t, w, 5)
	if changes("ma", "mo") || !changes("mo", "ms") || !changes("ma", "ms") {
		t.Errorf("after the repair: administrator changes the owner's permissions %v (want false), owner office staff's %v, administrator office staff's %v (want true)",
			changes("ma", "mo"), changes("mo", "ms"), changes("ma", "ms"))
	}
}
