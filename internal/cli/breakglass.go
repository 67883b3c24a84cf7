package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/internal/domain"
)

func newBreakGlassCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "break-glass",
		Short: "Emergency openings of clients' records: list them (open and close them with events)",
		Long: `An emergency opening (break-glass) gives its opener a client's clinical record at
once, for minutes, with no approval: break_glass.opened, break_glass.closed and
break_glass.reviewed are events (` + "`ward events apply --actor user:ID`" + `); docs/events.md
describes them. This command lists a practice's openings.`,
		Args: cobra.NoArgs,
	}
	var (
		workspace string
		q         domain.BreakGlassQuery
		max       int
	)
	list := &cobra.Command{
		Use:     "list --workspace W [--state open|unreviewed|all] [--user ID] [--client ID]",
		Short:   "List a practice's emergency openings, oldest first",
		Example: "  ward break-glass list --workspace riverside --state unreviewed",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if max < 1 {
				return fmt.Errorf("--max %d: give at least 1", max)
			}
			var all []domain.BreakGlass
			for {
				q.Limit = min(api.MaxLimit, max-len(all))
				page, err := g.client().BreakGlass(cmd.Context(), workspace, q)
				if err != nil {
					return err
				}
				all = append(all, page.BreakGlass...)
				if page.Cursor == "" {
					break
				}
				if len(all) >= max {
					fmt.Fprintf(cmd.ErrOrStderr(), "ward: stopped after --max %d openings; there are more\n", max)
					break
				}
				q.Cursor = page.Cursor
			}
			return g.print(cmd.OutOrStdout(), all, func() string { return breakGlassText(all, time.Now()) })
		},
	}
	list.Flags().StringVar(&workspace, "workspace", "", "the practice")
	list.Flags().StringVar(&q.State, "state", domain.BreakGlassAll, "which openings: "+strings.Join(domain.BreakGlassStates, ", "))
	list.Flags().StringVar(&q.User, "user", "", "only those this person opened")
	list.Flags().StringVar(&q.Client, "client", "", "only those of this client")
	list.Flags().IntVar(&max, "max", 1000, "stop after this many")
	_ = list.MarkFlagRequired("workspace")
	cmd.AddCommand(list)
	return cmd
}

// breakGlassText is one line an opening, for people.
func breakGlassText(all []domain.BreakGlass, now time.Time) string {
	if len(all) == 0 {
		return "no emergency openings"
	}
	var b strings.Builder
	for _, o := range all {
		fmt.Fprintf(&b, "%s  %s opened client %s at %s: %q; ", o.ID, o.User, o.Client, o.OpenedAt.Format(time.RFC3339), o.Reason)
		if end := o.Ended(now); end.IsZero() {
			fmt.Fprintf(&b, "open until %s", o.Until.Format(time.RFC3339))
		} else {
			fmt.Fprintf(&b, "ended %s", end.Format(time.RFC3339))
		}
		if o.Outcome == "" {
			b.WriteString("; not reviewed\n")
			continue
		}
		fmt.Fprintf(&b, "; reviewed %s by %s\n", o.Outcome, o.ReviewedBy)
	}
	return strings.TrimSuffix(b.String(), "\n") // print ends the line
}
