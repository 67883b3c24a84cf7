package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardhq/ward/internal/domain"
)

func newAccessReviewCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "access-review",
		Short: "Each person's standing grants, who granted them and when, and whose review is due",
		Long: `Under a review policy (policy.set review_every_days, 90 for quarterly), each person's
access falls due for review that many days after their last review; a reviewer (a holder of
review_access, the owner by default, or the person's manager; never the person themselves)
records it with access.reviewed, keeping the access or revoking the grants it names. These
are events (` + "`ward events apply --actor user:ID`" + `); docs/events.md describes them. This
command lists the review: every person's, one's (--user), those due (--due), or those an
actor may review (--actor).`,
		Args: cobra.NoArgs,
	}
	var (
		workspace string
		q         domain.AccessReviewQuery
		max       int
	)
	list := &cobra.Command{
		Use:     "list --workspace W [--user ID] [--due] [--actor user:ID]",
		Short:   "List a practice's people with their standing grants, by ID",
		Example: "  ward access-review list --workspace riverside --due --actor user:olivia",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			all, err := allPages(cmd, max, "people", func(limit int, cursor string) ([]domain.AccessReview, string, error) {
				q.Limit, q.Cursor = limit, cursor
				page, err := g.client().AccessReview(cmd.Context(), workspace, q)
				return page.Reviews, page.Cursor, err
			})
			if err != nil {
				return err
			}
			return g.print(cmd.OutOrStdout(), all, func() string { return accessReviewText(all) })
		},
	}
	list.Flags().StringVar(&workspace, "workspace", "", "the practice")
	list.Flags().StringVar(&q.User, "user", "", `only this person (a user's ID, or "service_account:ID")`)
	list.Flags().BoolVar(&q.Due, "due", false, "only those whose review is due")
	list.Flags().StringVar(&q.Actor, "actor", "", `only those this person may review ("user:ID")`)
	list.Flags().IntVar(&max, "max", 1000, "stop after this many people")
	_ = list.MarkFlagRequired("workspace")
	cmd.AddCommand(list)
	return cmd
}

// accessReviewText is a paragraph a person, for people: whether their
// review is due, their last review, and a line a grant.
func accessReviewText(all []domain.AccessReview) string {
	if len(all) == 0 {
		return "nobody to review"
	}
	var b strings.Builder
	for i, r := range all {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(r.User)
		if r.Manager != "" {
			fmt.Fprintf(&b, " (manager %s)", r.Manager)
		}
		switch {
		case r.Due:
			b.WriteString(": review due")
		case r.DueAt != nil:
			fmt.Fprintf(&b, ": next review due %s", r.DueAt.Format(time.RFC3339))
		}
		if l := r.LastReview; l != nil {
			fmt.Fprintf(&b, "; last reviewed %s by %s (%s", l.At.Format(time.RFC3339), l.By, l.Outcome)
			if len(l.Revoked) > 0 {
				fmt.Fprintf(&b, ": %s", strings.Join(l.Revoked, ", "))
			}
			b.WriteString(")")
		}
		b.WriteString("\n")
		if len(r.Grants) == 0 {
			b.WriteString("  no standing grants\n")
		}
		for _, g := range r.Grants {
			fmt.Fprintf(&b, "  %s", g.Item)
			if g.Detail != "" {
				fmt.Fprintf(&b, " (%s)", g.Detail)
			}
			if g.StartsAt != nil {
				fmt.Fprintf(&b, " from %s", g.StartsAt.Format(time.RFC3339))
			}
			if g.ExpiresAt != nil {
				fmt.Fprintf(&b, " until %s", g.ExpiresAt.Format(time.RFC3339))
			}
			switch {
			case g.GrantedAt != nil && g.GrantedBy != "":
				fmt.Fprintf(&b, ", granted by %s at %s", g.GrantedBy, g.GrantedAt.Format(time.RFC3339))
			case g.GrantedAt != nil:
				fmt.Fprintf(&b, ", granted at %s (no actor named)", g.GrantedAt.Format(time.RFC3339))
			default:
				b.WriteString(", granted before Ward kept who (or by an import)")
			}
			b.WriteString("\n")
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}
