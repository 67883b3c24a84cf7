package domain_test

import (
	"testing"

	"github.com/wardhq/ward/internal/domain"
)

func TestFitReviewPage(t *testing.T) {
	t.Parallel()
	holding := func(user string, grants int) domain.AccessReview {
		return domain.AccessReview{User: user, Grants: make([]domain.Grant, grants)}
	}
	const most = domain.MaxReviewPageGrants
	tests := []struct {
		name   string
		page   []domain.AccessReview
		keep   int
		cutOff bool
	}{
		{"nobody", nil, 0, false},
		{"within the bound", []domain.AccessReview{holding("a", 10), holding("b", most-10)}, 2, false},
		{"one past it", []domain.AccessReview{holding("a", 10), holding("b", most-9), holding("c", 0)}, 1, true},
		{"the first alone past it", []domain.AccessReview{holding("a", most+1), holding("b", 1)}, 1, true},
		{"the first alone, nobody after", []domain.AccessReview{holding("a", 5*most)}, 1, false},
		{"people without grants fill the page", []domain.AccessReview{holding("a", most), holding("b", 0), holding("c", 0), holding("d", 1)}, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, cut := domain.FitReviewPage(tt.page)
			if len(got) != tt.keep || cut != tt.cutOff {
				t.Errorf("kept %d (cut %v), want %d (cut %v)", len(got), cut, tt.keep, tt.cutOff)
			}
		})
	}
}
