package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardhq/ward/internal/domain"
)

func newAccessRequestsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "access-requests",
		Short: "Staff's requests for a role for a while: list them (ask and decide with events)",
		Long: `A staff member asks for a role for some minutes (access.requested); a holder of
approve_access, or their manager if the manager may give that role, approves it,
and either denies it (access.approved, access.denied), and
under a policy of two approvals the manager first, then someone else who holds
approve_access. These are events (` + "`ward events apply --actor user:ID`" + `); docs/events.md
describes them. This command lists a practice's requests.`,
		Args: cobra.NoArgs,
	}
	var (
		workspace string
		q         domain.AccessRequestQuery
		max       int
	)
	list := &cobra.Command{
		Use:     "list --workspace W [--state pending|approved|denied|cancelled|expired|all] [--user ID]",
		Short:   "List a practice's requests for access, oldest first",
		Example: "  ward access-requests list --workspace riverside --state pending",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			all, err := allPages(cmd, max, "requests", func(limit int, cursor string) ([]domain.AccessRequest, string, error) {
				q.Limit, q.Cursor = limit, cursor
				page, err := g.client().AccessRequests(cmd.Context(), workspace, q)
				return page.Requests, page.Cursor, err
			})
			if err != nil {
				return err
			}
			return g.print(cmd.OutOrStdout(), all, func() string { return accessRequestsText(all, time.Now()) })
		},
	}
	list.Flags().StringVar(&workspace, "workspace", "", "the practice")
	list.Flags().StringVar(&q.State, "state", domain.RequestAll, "which requests: "+strings.Join(domain.RequestStates, ", "))
	list.Flags().StringVar(&q.User, "user", "", "only those this person asked")
	list.Flags().IntVar(&max, "max", 1000, "stop after this many")
	_ = list.MarkFlagRequired("workspace")
	cmd.AddCommand(list)
	return cmd
}

// accessRequestsText is one line a request, for people.
func accessRequestsText(all []domain.AccessRequest, now time.Time) string {
	if len(all) == 0 {
		return "no requests for access"
	}
	var b strings.Builder
	for _, r := range all {
		where := ""
		if r.Location != "" {
			where = " at " + r.Location
		}
		how := fmt.Sprintf("for %d minutes", r.Minutes)
		if r.ExpiresAt != nil {
			how = "until " + r.ExpiresAt.Format(time.RFC3339)
		}
		if r.Once {
			how += ", once"
		}
		fmt.Fprintf(&b, "%s  %s asked for %s%s %s at %s: %q; %s", r.ID, r.User, r.Role, where, how, r.RequestedAt.Format(time.RFC3339), r.Reason, r.State)
		for _, d := range r.Decisions {
			if d.By != "" {
				fmt.Fprintf(&b, "; %s by %s", d.Outcome, d.By)
			}
		}
		if r.UsedAt != nil {
			fmt.Fprintf(&b, ", used %s", r.UsedAt.Format(time.RFC3339))
		}
		if r.Until != nil {
			verb := "until"
			if !now.Before(*r.Until) {
				verb = "ended"
			}
			fmt.Fprintf(&b, ", %s %s", verb, r.Until.Format(time.RFC3339))
		}
		b.WriteString("\n")
	}
	return strings.TrimSuffix(b.String(), "\n") // print ends the line
}
