package scenarios

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/domain"
)

// Writer is a store that writes and reads back relationships.
type Writer interface {
	Write(ctx context.Context, w domain.Write) (string, error)
	ReadAll(ctx context.Context, at string, filters []domain.Filter) ([]domain.Relationship, string, error)
}

// LargeWriteIsAtomic writes n relationships in one write, n large enough
// that the store splits it, and checks that the write stays all or nothing:
// when its precondition fails, when its last update creates what exists,
// and when its last relationship is not in the schema, none of it is
// written; when all holds, all of it is.
func LargeWriteIsAtomic(t *testing.T, s Writer, n int) {
	t.Helper()
	ctx := context.Background()
	shared := func(i int) domain.Relationship {
		return domain.Relationship{Resource: domain.Object{Type: domain.TypeClient, ID: fmt.Sprintf("big-%d", i)}, Relation: "shared_with", Subject: domain.Subject{Type: domain.TypeUser, ID: "u"}}
	}
	held := shared(n - 1)
	if _, err := s.Write(ctx, domain.Write{Updates: []domain.Update{{Op: domain.Touch, Rel: held}}}); err != nil {
		t.Fatal(err)
	}
	big := func(last domain.Update, pre ...domain.Precondition) domain.Write {
		out := domain.Write{Preconditions: pre}
		for i := range n - 1 {
			out.Updates = append(out.Updates, domain.Update{Op: domain.Touch, Rel: shared(i)})
		}
		out.Updates = append(out.Updates, last)
		return out
	}
	stored := func() int { // at the newest revision
		t.Helper()
		rels, _, err := s.ReadAll(ctx, "", []domain.Filter{domain.ByPrefix(domain.TypeClient, "big-")})
		if err != nil {
			t.Fatal(err)
		}
		return len(rels)
	}
	unknown := shared(n)
	unknown.Relation = "no_such_relation"
	expiring := shared(n)
	expiring.Relation = "practitioner" // takes no expiration
	expiring.Expires = domain.EndAt(time.Now().Add(time.Hour))
	refused := []struct {
		name string
		w    domain.Write
		code domain.Code // "" for domain.ErrRaced
	}{
		{"its precondition fails", big(domain.Update{Op: domain.Touch, Rel: held}, domain.Precondition{MustMatch: true, Filter: domain.Exactly(shared(n))}), ""},
		{"its last update creates what exists", big(domain.Update{Op: domain.Create, Rel: held}), ""},
		{"its last relation is not in the schema", big(domain.Update{Op: domain.Touch, Rel: unknown}), domain.CodeInternal},
		{"its last relationship expires where the schema takes no expiration", big(domain.Update{Op: domain.Touch, Rel: expiring}), domain.CodeInternal},
	}
	for _, tt := range refused {
		_, err := s.Write(ctx, tt.w)
		var e *domain.Error
		switch {
		case tt.code == "" && !errors.Is(err, domain.ErrRaced):
			t.Errorf("when %s: %v, want domain.ErrRaced", tt.name, err)
		case tt.code != "" && (!errors.As(err, &e) || e.Code != tt.code):
			t.Errorf("when %s: %v, want a %s error", tt.name, err, tt.code)
		}
		if got := stored(); got != 1 {
			t.Errorf("when %s: %d relationships stored after the refused write, want only the 1 from before", tt.name, got)
		}
	}
	if _, err := s.Write(ctx, big(domain.Update{Op: domain.Touch, Rel: held}, domain.Precondition{MustMatch: true, Filter: domain.Exactly(held)})); err != nil {
		t.Fatalf("the write whose precondition holds: %v", err)
	}
	if got := stored(); got != n {
		t.Errorf("%d relationships stored, want %d", got, n)
	}
}
