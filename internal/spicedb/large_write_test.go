package spicedb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/wardhq/ward/internal/domain"
)

// TestWritesPastOneCall: SpiceDB's gRPC server takes at most 4 MiB a call,
// and holdings with business hours carry their hours in every relationship
// they give, so one event can make a write larger than that. Ward's
// in-process SpiceDB takes it whole in one transaction of its datastore
// (Config.LargeWrites); without that (an external SpiceDB) it is refused as
// too large, naming what to do, and nothing is written. Never "overloaded;
// retry", which no retry would cure.
func TestWritesPastOneCall(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var windows []string
	for d := range 28 {
		windows = append(windows, fmt.Sprintf(`{"days":["mon","tue","wed","thu","fri","sat","sun"],"from":"%02d:%02d","to":"%02d:%02d"}`, d/4+1, d%4*10, d/4+1, d%4*10+5))
	}
	hours := `{"timezone":"Australia/Sydney","windows":[` + strings.Join(windows, ",") + `]}`
	var events strings.Builder
	for i := range 60 {
		fmt.Fprintf(&events, `{"type":"staff.added","workspace":"p1","user":"s%d","role":"practice_manager","hours":%s}`+"\n", i, hours)
	}
	staff := func(c *Client) int {
		n := 0
		err := c.Export(ctx, func(r domain.Relationship) error {
			if r.Resource.Type == domain.TypeRoleBinding && r.Relation == "member" && strings.HasPrefix(r.Subject.ID, "s") {
				n++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	external, _ := memoryClient(t)
	w := planWrite(t, external, events.String())
	_, err := external.Write(ctx, w)
	var e *domain.Error
	if !errors.As(err, &e) || e.Code != domain.CodeTooLarge || !strings.Contains(e.Message, "fewer events") {
		t.Fatalf("a write of %d updates past one call, without a large writer: %v; want too_large saying to send fewer events", len(w.Updates), err)
	}
	if n := staff(external); n != 0 {
		t.Errorf("the refused write left %d holdings", n)
	}

	inProcess, _ := memoryClientWith(t, func(e *Embedded) Config { return Config{LargeWrites: e.LargeWrites()} })
	if _, err := inProcess.Write(ctx, planWrite(t, inProcess, events.String())); err != nil {
		t.Fatalf("the in-process SpiceDB's large writer: %v", err)
	}
	if n := staff(inProcess); n != 60 {
		t.Errorf("%d holdings written, want 60", n)
	}
}

// TestImportChunksStayWithinAMessage: an import's messages carry at most
// importChunk relationships, and fewer where conditions make them large, so
// that none passes what SpiceDB takes in one message.
func TestImportChunksStayWithinAMessage(t *testing.T) {
	var windows []string
	for d := range 28 {
		windows = append(windows, fmt.Sprintf(`{"days":["mon","tue","wed","thu","fri","sat","sun"],"from":"%02d:%02d","to":"%02d:%02d"}`, d/4+1, d%4*10, d/4+1, d%4*10+5))
	}
	h, err := domain.ParseHours([]byte(`{"timezone":"Australia/Sydney","windows":[` + strings.Join(windows, ",") + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	long := domain.CondSpan(domain.Cond{Hours: []domain.Hours{h}})
	for _, tt := range []struct {
		name      string
		span      domain.Span
		maxChunks int // at most this many relationships a message
	}{
		{"plain", domain.Span{}, importChunk},
		{"with long hours", long, importChunk - 1},
	} {
		var rels []domain.Relationship
		for i := range 2500 {
			rels = append(rels, domain.Rel(domain.Object{Type: domain.TypeWorkspace, ID: "w"}, "member", domain.Object{Type: domain.TypeUser, ID: fmt.Sprint("u", i)}).Lasting(tt.span))
		}
		total, most := 0, 0
		for chunk := range importChunks(rels) {
			size := 0
			for _, r := range chunk {
				size += proto.Size(r) + 8
			}
			if size > MaxWriteBytes {
				t.Errorf("%s: a message of %d relationships takes %d bytes, past %d", tt.name, len(chunk), size, MaxWriteBytes)
			}
			total, most = total+len(chunk), max(most, len(chunk))
		}
		if total != len(rels) || most > tt.maxChunks || (tt.span.Always() && most != importChunk) {
			t.Errorf("%s: %d relationships sent, at most %d a message", tt.name, total, most)
		}
	}
}
