package domain_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/domain"
)

// TestActorChecks: what events a person decides need of the request's
// actor before the schema is asked: an actor, a person, the opener
// themselves, and a request of their own.
func TestActorChecks(t *testing.T) {
	t.Parallel()
	const open = `{"type":"break_glass.opened","workspace":"w","id":"bg","user":"q","client":"c","reason":"r"}`
	const review = `{"type":"break_glass.reviewed","workspace":"w","id":"bg","outcome":"justified"}`
	for _, tt := range []struct {
		name, events, actor string
		code                domain.Code
		index               int
		field               string
		ask                 string // the question asked, when allowed through
	}{
		{"opened by the user", open, "user:q", "", 0, "", "user:q open_break_glass client:c"},
		{"opened with no actor", open, "", domain.CodeInvalid, 0, "actor", ""},
		{"opened for someone else", open, "user:o", domain.CodeConflict, 0, "actor", ""},
		{"opened by a service account", open, "service_account:kiosk", domain.CodeInvalid, 0, "actor", ""},
		{"reviewed by someone", review, "user:o", "", 0, "", "user:o review break_glass:w/bg"},
		{"reviewed with no actor", review, "", domain.CodeInvalid, 0, "actor", ""},
		{"closed with no actor", `{"type":"break_glass.closed","workspace":"w","id":"bg"}`, "", domain.CodeInvalid, 0, "actor", ""},
		{"closed by someone", `{"type":"break_glass.closed","workspace":"w","id":"bg"}`, "user:q", "", 0, "", "user:q close break_glass:w/bg"},
		{"after a role change in the same request", `{"type":"role.revoked","workspace":"w","user":"q","role":"practitioner"}
` + open, "user:q", domain.CodeInvalid, 0, "type", ""},
		{"before a share in the same request", open + `
{"type":"patient.shared","workspace":"w","client":"c","user":"q"}`, "user:q", domain.CodeInvalid, 1, "type", ""},
		{"refund asked for", `{"type":"refund.requested","workspace":"w","refund":"r","invoice":"i"}`, "user:r", "", 0, "", "user:r request_refund invoice:i"},
		{"refund approved", `{"type":"refund.approved","workspace":"w","refund":"r"}`, "user:o", "", 0, "", "user:o approve refund:w/r"},
		{"refund processed with no actor", `{"type":"refund.processed","workspace":"w","refund":"r"}`, "", domain.CodeInvalid, 0, "actor", ""},
		{"no event a person decides", `{"type":"patient.shared","workspace":"w","client":"c","user":"q"}`, "", "", 0, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			events := parse(t, tt.events)
			for i := range events {
				events[i].Actor = tt.actor
			}
			checks, err := domain.ActorChecks(events)
			var e *domain.Error
			switch {
			case tt.code != "" && (!errors.As(err, &e) || e.Code != tt.code || e.Index != tt.index || e.Field != tt.field):
				t.Fatalf("got %v, want %s at event %d field %q", err, tt.code, tt.index, tt.field)
			case tt.code == "" && err != nil:
				t.Fatal(err)
			}
			var asked []string
			for _, c := range checks {
				asked = append(asked, c.Question.Subject.String()+" "+c.Question.Permission+" "+c.Question.Resource.String())
			}
			if got := strings.Join(asked, ";"); got != tt.ask {
				t.Errorf("asked %q, want %q", got, tt.ask)
			}
		})
	}
}

// TestBreakGlassResources: an opening is asked about as
// break_glass:WORKSPACE/ID, and a refund as refund:WORKSPACE/ID; nothing
// else.
func TestBreakGlassResources(t *testing.T) {
	t.Parallel()
	for _, good := range []string{"break_glass:w/bg1", "refund:w/r1"} {
		if o, err := domain.ParseResource(good); err != nil || !strings.HasSuffix(good, ":"+o.ID) {
			t.Errorf("%s: %v, %v", good, o, err)
		}
	}
	for _, bad := range []string{"break_glass:bg1", "break_glass:w/", "break_glass:/bg1", "break_glass:w/a/b", "break_glass:w/*", "refund:r1", "refund:w/r 1"} {
		if _, err := domain.ParseResource(bad); err == nil {
			t.Errorf("%s was taken as a resource", bad)
		}
	}
}

// TestOpeningsAtOnceAreBounded: one person has at most MaxOpenBreakGlass
// openings open in a practice, in one request or many; one that ended or
// was closed no longer counts, and the refusal names the user.
func TestOpeningsAtOnceAreBounded(t *testing.T) {
	t.Parallel()
	open := func(id string) string {
		return `{"type":"break_glass.opened","workspace":"w","id":"` + id + `","user":"q","client":"c","reason":"r","minutes":30}`
	}
	var batch []string
	for n := 1; n < domain.MaxOpenBreakGlass; n++ { // with the base's bg0, the most at once
		batch = append(batch, open(fmt.Sprintf("bg%d", n)))
	}
	s, _ := apply(t, domain.NewState(), parseAt(t, parsedAt, planBase+"\n"+strings.Join(batch, "\n")))
	_, _, err := tryApply(s, parseAt(t, parsedAt, open("one-more")))
	var e *domain.Error
	if !errors.As(err, &e) || e.Code != domain.CodeConflict || e.Field != "user" || !strings.Contains(e.Message, "10 openings open") {
		t.Fatalf("an eleventh opening: %v, want a conflict naming user", err)
	}
	if _, _, err := tryApply(domain.NewState(), parseAt(t, parsedAt, planBase+"\n"+strings.Join(append(batch, open("one-more")), "\n"))); !errors.As(err, &e) || e.Field != "user" || e.Index == 0 {
		t.Fatalf("an eleventh opening in the same request: %v, want a conflict naming user", err)
	}
	s, _ = apply(t, s, parseAt(t, parsedAt, `{"type":"break_glass.closed","workspace":"w","id":"bg1"}`))
	s, _ = apply(t, s, parseAt(t, parsedAt, open("after-a-close")))
	if _, _, err := tryApply(s, parseAt(t, parsedAt.Add(31*time.Minute), open("after-they-ended"))); err != nil {
		t.Fatalf("an opening once the others ended: %v", err)
	}
}
