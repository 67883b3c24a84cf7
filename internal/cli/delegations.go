package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardhq/ward/internal/domain"
)

func newDelegationsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "delegations",
		Short: "Roles lent for a while (acting for someone): list them (lend and revoke with events)",
		Long: `A staff member lends some or all of their roles to another for a while
(delegation.granted, by themselves or the account owner); the delegate acts with them,
keeping their own, until it expires, is revoked (delegation.revoked), or the lender no
longer holds them. These are events (` + "`ward events apply --actor user:ID`" + `); docs/events.md
describes them. This command lists a practice's delegations.`,
		Args: cobra.NoArgs,
	}
	var (
		workspace string
		q         domain.DelegationQuery
		max       int
	)
	list := &cobra.Command{
		Use:     "list --workspace W [--state " + strings.Join(domain.DelegationStates, "|") + "] [--user ID]",
		Short:   "List a practice's delegations, oldest first",
		Example: "  ward delegations list --workspace riverside --state active",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			all, err := allPages(cmd, max, "delegations", func(limit int, cursor string) ([]domain.Delegation, string, error) {
				q.Limit, q.Cursor = limit, cursor
				page, err := g.client().Delegations(cmd.Context(), workspace, q)
				return page.Delegations, page.Cursor, err
			})
			if err != nil {
				return err
			}
			return g.print(cmd.OutOrStdout(), all, func() string { return delegationsText(all) })
		},
	}
	list.Flags().StringVar(&workspace, "workspace", "", "the practice")
	list.Flags().StringVar(&q.State, "state", domain.DelegationAll, "which delegations: "+strings.Join(domain.DelegationStates, ", "))
	list.Flags().StringVar(&q.User, "user", "", "only those this person lends or acts with")
	list.Flags().IntVar(&max, "max", 1000, "stop after this many")
	_ = list.MarkFlagRequired("workspace")
	cmd.AddCommand(list)
	return cmd
}

// delegationsText is one line a delegation, for people.
func delegationsText(all []domain.Delegation) string {
	if len(all) == 0 {
		return "no delegations"
	}
	var b strings.Builder
	for _, d := range all {
		when := "until " + d.ExpiresAt.Format(time.RFC3339)
		if d.StartsAt != nil {
			when = "from " + d.StartsAt.Format(time.RFC3339) + " " + when
		}
		fmt.Fprintf(&b, "%s  %s lends %s to %s %s (granted by %s at %s); %s", d.ID, d.From, strings.Join(d.Roles, ", "), d.To, when, d.GrantedBy, d.GrantedAt.Format(time.RFC3339), d.State)
		switch {
		case d.EndedAt != nil && d.EndedBy != "":
			fmt.Fprintf(&b, " at %s by %s", d.EndedAt.Format(time.RFC3339), d.EndedBy)
		case d.EndedAt != nil:
			fmt.Fprintf(&b, " at %s: %s", d.EndedAt.Format(time.RFC3339), d.Why)
		}
		if len(d.Dropped) > 0 {
			fmt.Fprintf(&b, "; no longer lent: %s", strings.Join(d.Dropped, ", "))
		}
		b.WriteString("\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}
