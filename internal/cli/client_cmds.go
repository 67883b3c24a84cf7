package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/client"
	"github.com/wardhq/ward/internal/domain"
)

// readEvents reads an events file (JSON Lines or {"events": [...]}), or
// standard input for "-".
func readEvents(path string, stdin io.Reader) ([]json.RawMessage, error) {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("reading events: %w", err)
		}
		defer f.Close()
		r = f
	}
	raws, err := domain.ReadEventLines(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return raws, nil
}

func newEventsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "events", Short: "Send practice events to Ward"}
	var actor string
	apply := eventsFileCmd(g, "apply -f FILE", "Apply events (JSON Lines, or {\"events\": [...]}) atomically: all or none",
		func(c *client.Client, ctx context.Context, raws []json.RawMessage) (api.EventsResponse, error) {
			return c.Apply(ctx, api.EventsRequest{Events: raws, Actor: actor})
		}, func(res api.EventsResponse) string {
			return fmt.Sprintf("applied %d events (%d relationships written, %d deleted); zedtoken %s", res.Applied, res.Touched, res.Deleted, res.ZedToken) + unconfirmed(res)
		})
	imp := eventsFileCmd(g, "import -f FILE", "Import new practices in bulk (up to 50,000 events and 300,000 relationships, each event about a practice created in the file), atomically",
		(*client.Client).Import, func(res api.EventsResponse) string {
			return fmt.Sprintf("imported %d events (%d relationships written)", res.Applied, res.Touched) + unconfirmed(res)
		})
	apply.Flags().StringVar(&actor, "actor", "", `the person on whose behalf the events are sent ("user:olivia"), recorded in the audit ledger; events a person decides (break_glass.*) are held to their permissions`)
	cmd.AddCommand(apply, imp)
	return cmd
}

// unconfirmed warns, under a summary, that Ward wrote the events but could not
// yet see them in fully consistent reads (HTTP 202), so that nobody sends them
// again.
func unconfirmed(res api.EventsResponse) string {
	if res.Confirmed == nil || *res.Confirmed {
		return ""
	}
	return "\nwritten, but not yet visible to fully consistent reads: do not send the events again; reads that pass --zedtoken " + res.ZedToken + " see them"
}

// eventsFileCmd is a command that sends an events file with send and prints
// the answer (text by summary).
func eventsFileCmd(g *globals, use, short string,
	send func(*client.Client, context.Context, []json.RawMessage) (api.EventsResponse, error),
	summary func(api.EventsResponse) string) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			raws, err := readEvents(file, cmd.InOrStdin())
			if err != nil {
				return err
			}
			res, err := send(g.client(), cmd.Context(), raws)
			if err != nil {
				return err
			}
			return g.print(cmd.OutOrStdout(), res, func() string { return summary(res) })
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "events file, or - for standard input")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

func newCheckCmd(g *globals) *cobra.Command {
	var token, purpose string
	var context []string
	var consume bool
	cmd := &cobra.Command{
		Use:     "check SUBJECT PERMISSION RESOURCE",
		Short:   "Ask whether a staff member has a permission on a resource",
		Example: "  ward check user:priya view_notes client:ann\n  ward check user:bill approve_charge invoice:in-ann --context amount=450\n  ward check user:rita view client:ann --context ip=203.0.113.7",
		Args:    cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := parseContext(context)
			if err != nil {
				return err
			}
			res, err := g.client().Check(cmd.Context(), api.CheckRequest{Subject: args[0], Permission: args[1], Resource: args[2], ZedToken: token, Purpose: purpose, Context: c, Consume: consume})
			if err != nil {
				return err
			}
			return g.print(cmd.OutOrStdout(), res, func() string {
				if res.Consumed != "" {
					return fmt.Sprintf("allowed, once: %s %s %s (used up %s)", args[0], args[1], args[2], res.Consumed)
				}
				verdict := "denied"
				switch {
				case res.Allowed:
					verdict = "allowed"
				case res.Conditional:
					verdict = "denied (conditional: give --context " + strings.Join(res.Missing, "=..., ") + "=...)"
				}
				return fmt.Sprintf("%s: %s %s %s", verdict, args[0], args[1], args[2])
			})
		},
	}
	cmd.Flags().StringVar(&token, "zedtoken", "", "read at least as fresh as this ZedToken")
	cmd.Flags().StringVar(&purpose, "purpose", "", "why the check is made (treatment, emergency, ...), recorded with the decision in the audit ledger")
	cmd.Flags().BoolVar(&consume, "consume", false, "let a one-time grant of the subject's count (an access request approved with once), and use it up if it does")
	contextFlag(cmd, &context)
	return cmd
}

// contextFlag adds --context KEY=VALUE to a command that asks a question.
func contextFlag(cmd *cobra.Command, context *[]string) {
	cmd.Flags().StringArrayVar(context, "context", nil, "what the question gives the conditions of grants, as KEY=VALUE (amount=450.50: a charge's amount; ip=203.0.113.7: the address the request came from); repeatable")
}

// parseContext reads --context flags.
func parseContext(flags []string) (*api.CheckContext, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	c := &api.CheckContext{}
	seen := map[string]bool{}
	for _, f := range flags {
		key, value, ok := strings.Cut(f, "=")
		if ok && seen[key] {
			return nil, fmt.Errorf("--context %s given twice: give each key once", key)
		}
		seen[key] = true
		switch {
		case !ok:
			return nil, fmt.Errorf("--context %q: want KEY=VALUE, such as amount=450", f)
		case key == "amount":
			amount, err := strconv.ParseFloat(value, 64)
			if err != nil || math.IsNaN(amount) || math.IsInf(amount, 0) || strings.ContainsAny(value, "_xXpP") {
				return nil, fmt.Errorf("--context amount=%s: the amount must be a number, such as 450.50", value)
			}
			c.Amount = &amount
		case key == "ip":
			if _, err := domain.ParseIP(value); err != nil {
				return nil, fmt.Errorf("--context ip=%s: %v", value, err)
			}
			c.IP = &value
		default:
			return nil, fmt.Errorf("--context %s: unknown key %q (keys: amount, ip)", f, key)
		}
	}
	return c, nil
}

// streamResources prints each resource of a streamed lookup as it arrives.
func streamResources(cmd *cobra.Command, g *globals, req api.LookupStreamRequest) error {
	w := cmd.OutOrStdout()
	enc := json.NewEncoder(w)
	n := 0
	token, err := g.client().StreamLines(cmd.Context(), req, func(line api.LookupStreamLine) error {
		n++
		if g.output == "json" {
			return enc.Encode(line)
		}
		text := line.Resource
		if line.Conditional {
			text = conditionalText(line.Resource, line.Missing)
		}
		_, err := fmt.Fprintln(w, text)
		return err
	})
	if err != nil {
		return err
	}
	if g.output == "json" {
		return enc.Encode(api.LookupStreamLine{Done: true, Count: n, ZedToken: token})
	}
	return nil
}

func newLookupCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "lookup", Short: "List resources a staff member reaches, or staff who reach a resource"}
	var subject, permission, typ, resource string
	var limit int
	var all, stream, conditional bool
	var given []string
	resources := &cobra.Command{
		Use:     "resources --subject user:ID --permission P --type T",
		Short:   "List the resources of a type on which a subject has a permission",
		Example: "  ward lookup resources --subject user:priya --permission view --type client",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := parseContext(given)
			if err != nil {
				return err
			}
			if stream {
				if limit != 0 || all {
					return errors.New("--stream sends every resource as it is found: drop --limit and --all")
				}
				return streamResources(cmd, g, api.LookupStreamRequest{Subject: subject, Permission: permission, ResourceType: typ, Context: c, IncludeConditional: conditional})
			}
			req := api.LookupResourcesRequest{Subject: subject, Permission: permission, ResourceType: typ, Limit: limit, Context: c, IncludeConditional: conditional}
			out := api.LookupResourcesResponse{Resources: []string{}}
			for {
				page, err := g.client().LookupResources(cmd.Context(), req)
				if err != nil {
					return err
				}
				out.Resources = append(out.Resources, page.Resources...)
				out.Conditional = append(out.Conditional, page.Conditional...)
				out.Cursor, out.ZedToken = page.Cursor, page.ZedToken
				if !all || page.Cursor == "" {
					break
				}
				req.Cursor = page.Cursor
			}
			return g.print(cmd.OutOrStdout(), out, func() string {
				items := out.Resources
				for _, c := range out.Conditional {
					items = append(items, conditionalText(c.Resource, c.Missing))
				}
				return lines(items, out.Cursor)
			})
		},
	}
	rf := resources.Flags()
	rf.StringVar(&subject, "subject", "", "the staff member, user:ID")
	rf.StringVar(&permission, "permission", "", "permission name, e.g. view")
	rf.StringVar(&typ, "type", "", "resource type, e.g. client")
	rf.IntVar(&limit, "limit", 0, "page size (default 100, at most 1000)")
	rf.BoolVar(&all, "all", false, "follow the cursor to the last page")
	rf.BoolVar(&stream, "stream", false, "print every resource as Ward finds it, unsorted, instead of pages (with -o json: one JSON line each, then a done line)")
	contextFlag(resources, &given)
	conditionalFlag(resources, &conditional)
	for _, name := range []string{"subject", "permission", "type"} {
		_ = resources.MarkFlagRequired(name)
	}
	subjects := &cobra.Command{
		Use:     "subjects --resource T:ID --permission P",
		Short:   "List the staff who have a permission on a resource",
		Example: "  ward lookup subjects --resource client:ann --permission view_notes",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := parseContext(given)
			if err != nil {
				return err
			}
			req := api.LookupSubjectsRequest{Resource: resource, Permission: permission, Limit: limit, Context: c, IncludeConditional: conditional}
			out := api.LookupSubjectsResponse{Subjects: []string{}}
			for {
				page, err := g.client().LookupSubjects(cmd.Context(), req)
				if err != nil {
					return err
				}
				out.Subjects = append(out.Subjects, page.Subjects...)
				out.Conditional = append(out.Conditional, page.Conditional...)
				out.Cursor, out.ZedToken = page.Cursor, page.ZedToken
				if !all || page.Cursor == "" {
					break
				}
				req.Cursor = page.Cursor
			}
			return g.print(cmd.OutOrStdout(), out, func() string {
				items := out.Subjects
				for _, c := range out.Conditional {
					items = append(items, conditionalText(c.Subject, c.Missing))
				}
				return lines(items, out.Cursor)
			})
		},
	}
	sf := subjects.Flags()
	sf.StringVar(&resource, "resource", "", "the resource, type:ID")
	sf.StringVar(&permission, "permission", "", "permission name, e.g. view_notes")
	sf.IntVar(&limit, "limit", 0, "page size (default 100, at most 1000)")
	sf.BoolVar(&all, "all", false, "follow the cursor to the last page")
	contextFlag(subjects, &given)
	conditionalFlag(subjects, &conditional)
	for _, name := range []string{"resource", "permission"} {
		_ = subjects.MarkFlagRequired(name)
	}
	cmd.AddCommand(resources, subjects)
	return cmd
}

func conditionalFlag(cmd *cobra.Command, conditional *bool) {
	cmd.Flags().BoolVar(conditional, "conditional", false, "list too what would be allowed with more --context, each with the context it needs")
}

// conditionalText is a lookup result allowed only with more context, as a
// line of text.
func conditionalText(ref string, missing []string) string {
	return ref + " (conditional: needs " + strings.Join(missing, ", ") + ")"
}

func lines(items []string, cursor string) string {
	if len(items) == 0 {
		return "(none)"
	}
	out := strings.Join(items, "\n")
	if cursor != "" {
		out += "\n(more: pass --all, or continue from cursor " + cursor + ")"
	}
	return out
}

func newFieldsCmd(g *globals) *cobra.Command {
	var token, purpose string
	var context []string
	cmd := &cobra.Command{
		Use:     "fields SUBJECT RESOURCE",
		Short:   "Ask which sensitive field groups of a record (a client's identifiers, insurance) a staff member may see and change",
		Example: "  ward fields user:rita client:ann",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := parseContext(context)
			if err != nil {
				return err
			}
			res, err := g.client().Fields(cmd.Context(), api.FieldsRequest{Subject: args[0], Resource: args[1], ZedToken: token, Purpose: purpose, Context: c})
			if err != nil {
				return err
			}
			return g.print(cmd.OutOrStdout(), res, func() string {
				var b strings.Builder
				fmt.Fprintf(&b, "%s on %s:", args[0], args[1])
				word := func(yes bool) string {
					if yes {
						return "yes"
					}
					return "no"
				}
				for _, name := range slices.Sorted(maps.Keys(res.Fields)) {
					f := res.Fields[name]
					fmt.Fprintf(&b, "\n  %-12s view %-3s  edit %s", name, word(f.View), word(f.Edit))
					if len(f.Missing) > 0 {
						fmt.Fprintf(&b, "  (conditional: give --context %s=...)", strings.Join(f.Missing, "=..., "))
					}
				}
				return b.String()
			})
		},
	}
	cmd.Flags().StringVar(&token, "zedtoken", "", "read at least as fresh as this ZedToken")
	cmd.Flags().StringVar(&purpose, "purpose", "", "why the app asks (treatment, billing, ...), recorded with each decision in the audit ledger")
	contextFlag(cmd, &context)
	return cmd
}

func newExplainCmd(g *globals) *cobra.Command {
	var token string
	var trace bool
	var context []string
	cmd := &cobra.Command{
		Use:   "explain SUBJECT PERMISSION RESOURCE",
		Short: "Say why a staff member has or lacks a permission, in the practice's terms",
		Long: `explain prints the decision and Ward's reasons: which roles, locations and
levels gave the access, or why each path that could have did not. With
--trace it also prints SpiceDB's own trace of the same check: each stored
relation SpiceDB looked up, found (+) or not (-). --json prints both.`,
		Example: "  ward explain user:rita view_notes client:ann\n  ward explain --trace user:priya view_notes client:dan",
		Args:    cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := parseContext(context)
			if err != nil {
				return err
			}
			res, err := g.client().Explain(cmd.Context(), api.CheckRequest{Subject: args[0], Permission: args[1], Resource: args[2], ZedToken: token, Context: c})
			if err != nil {
				return err
			}
			return g.print(cmd.OutOrStdout(), res, func() string {
				var b strings.Builder
				verdict := "denied"
				if res.Allowed {
					verdict = "allowed"
				}
				fmt.Fprintf(&b, "%s: %s %s %s", verdict, args[0], args[1], args[2])
				mark := func(yes bool) string {
					if yes {
						return "+"
					}
					return "-"
				}
				for _, r := range res.Reasons {
					fmt.Fprintf(&b, "\n  %s %s", mark(r.Grants), r.Text)
				}
				if trace {
					b.WriteString("\n  SpiceDB's trace:")
					for _, step := range res.Trace {
						fmt.Fprintf(&b, "\n    %s %s", mark(step.Found), step.Text)
					}
				}
				return b.String()
			})
		},
	}
	cmd.Flags().StringVar(&token, "zedtoken", "", "read at least as fresh as this ZedToken")
	cmd.Flags().BoolVar(&trace, "trace", false, "also print SpiceDB's trace of the check")
	contextFlag(cmd, &context)
	return cmd
}
