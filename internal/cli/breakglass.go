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
			all, err := allPages(cmd, max, "openings", func(limit int, cursor string) ([]domain.BreakGlass, string, error) {
				q.Limit, q.Cursor = limit, cursor
				page, err := g.client().BreakGlass(cmd.Context(), workspace, q)
				return page.BreakGlass, page.Cursor, err
			})
			if err != nil {
				return err
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

// allPages reads a list page by page (read: the page of at most limit
// after cursor, and the next cursor), stopping after max items, which it
// says on stderr when there were more.
func allPages[T any](cmd *cobra.Command, max int, what string, read func(limit int, cursor string) ([]T, string, error)) ([]T, error) {
	if max < 1 {
		return nil, fmt.Errorf("--max %d: give at least 1", max)
	}
	var all []T
	cursor := ""
	for {
		page, next, err := read(min(api.MaxLimit, max-len(all)), cursor)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if next == "" {
			return all, nil
		}
		if len(all) >= max {
			fmt.Fprintf(cmd.ErrOrStderr(), "ward: stopped after --max %d %s; there are more\n", max, what)
			return all, nil
		}
		cursor = next
	}
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
