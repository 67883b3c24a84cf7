package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/domain"
)

func newAuditCmd(g *globals) *cobra.Command {
	var (
		q        api.AuditQuery
		from, to string
		format   string
		max      int
	)
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Read the audit ledger: who changed what, and who was allowed or refused which client's records",
		Long: `audit reads the records the filters select, oldest first, page after page
(up to --max), and prints them: text for people, or --format jsonl, csv or
fhir (a FHIR R4 Bundle of AuditEvents) for compliance exports. ` + "`ward audit verify`" + `
checks the ledger's hash chain. docs/audit.md describes the records.`,
		Example: `  ward audit --client ann
  ward audit --user priya --from 2026-12-01T00:00:00Z --format csv > priya.csv
  ward audit verify`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, t := range []struct {
				flag, value string
				to          *time.Time
			}{{"--from", from, &q.From}, {"--to", to, &q.To}} {
				if t.value == "" {
					continue
				}
				at, err := domain.ParseTime(t.value)
				if err != nil {
					return fmt.Errorf("%s: %v", t.flag, err)
				}
				*t.to = at
			}
			switch format {
			case "text", audit.FormatJSONL, audit.FormatCSV, audit.FormatFHIR:
			default:
				return fmt.Errorf("--format %q: use text, jsonl, csv or fhir", format)
			}
			var recs []api.AuditRecord
			for {
				q.Limit = min(api.MaxLimit, max-len(recs))
				page, err := g.client().Audit(cmd.Context(), q)
				if err != nil {
					return err
				}
				recs = append(recs, page.Records...)
				if page.Cursor == "" || len(recs) >= max {
					break
				}
				q.Cursor = page.Cursor
			}
			out := cmd.OutOrStdout()
			switch format {
			case audit.FormatJSONL:
				return audit.WriteJSONL(out, recs)
			case audit.FormatCSV:
				return audit.WriteCSV(out, recs, true)
			case audit.FormatFHIR:
				return audit.WriteFHIR(out, recs)
			}
			if g.output == "json" {
				return g.print(out, recs, nil)
			}
			if len(recs) == 0 {
				_, err := fmt.Fprintln(out, "no records")
				return err
			}
			for _, r := range recs {
				if _, err := fmt.Fprintln(out, describe(r)); err != nil {
					return err
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&q.Workspace, "workspace", "", "records of this practice")
	f.StringVar(&q.User, "user", "", "records of this person: as actor, as the subject of a decision, or named by an event")
	f.StringVar(&q.Client, "client", "", "records of this client: decisions on their record and events naming them")
	f.StringVar(&q.Action, "action", "", "an event type (staff.added), a permission (view_notes) or a kind (decision)")
	f.StringVar(&from, "from", "", "records at or after this time (RFC 3339)")
	f.StringVar(&to, "to", "", "records before this time (RFC 3339)")
	f.StringVar(&format, "format", "text", "text, jsonl, csv or fhir")
	f.IntVar(&max, "max", 10000, "read at most this many records")
	cmd.AddCommand(newAuditVerifyCmd(g))
	return cmd
}

// describe is one record as a line for people.
func describe(r api.AuditRecord) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %s ", r.Seq, r.Time.Format(time.RFC3339))
	switch r.Kind {
	case audit.KindGrant:
		var reasons []struct {
			Text string `json:"text"`
		}
		_ = json.Unmarshal(r.Grant, &reasons)
		texts := make([]string, len(reasons))
		for i, x := range reasons {
			texts[i] = x.Text
		}
		fmt.Fprintf(&b, "#%d %s %s %s was allowed through: %s", r.Of, r.Subject, r.Permission, r.Resource, strings.Join(texts, "; "))
	case audit.KindDecision:
		verdict := "refused"
		if r.Allowed != nil && *r.Allowed {
			verdict = "allowed"
		}
		fmt.Fprintf(&b, "%s %s %s %s", verdict, r.Subject, r.Permission, r.Resource)
	case audit.KindKeyUsage:
		fmt.Fprintf(&b, "%s %s: %d requests on %s", r.Kind, r.Resource, r.Requests, r.Day)
	case audit.KindPlatformKeyCreated, audit.KindPlatformKeyRevoked:
		fmt.Fprintf(&b, "%s %s: %s", r.Kind, r.Resource, r.Detail)
	case audit.KindKeyCreated, audit.KindKeyRotated, audit.KindKeyRevoked:
		fmt.Fprintf(&b, "%s %s of %s in %s", r.Kind, r.Resource, r.Subject, r.Workspace)
		if r.Detail != "" {
			fmt.Fprintf(&b, ": %s", r.Detail)
		}
	default:
		fmt.Fprintf(&b, "%s %s", r.Kind, summarise(audit.EventTypes(r)))
		if r.Workspace != "" {
			fmt.Fprintf(&b, " in %s", r.Workspace)
		}
		if r.Error != "" {
			fmt.Fprintf(&b, ": %s", r.Error)
		}
	}
	var by []string
	for _, s := range []struct{ label, v string }{{"actor", r.Actor}, {"purpose", r.Purpose}, {"by", r.Account}, {"request", r.RequestID}} {
		if s.v != "" {
			by = append(by, s.label+" "+s.v)
		}
	}
	if len(by) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(by, ", "))
	}
	return b.String()
}

// summarise lists event types once each, in order, with a count when
// repeated: "workspace.created, staff.added x7".
func summarise(types []string) string {
	var order []string
	count := map[string]int{}
	for _, t := range types {
		if count[t] == 0 {
			order = append(order, t)
		}
		count[t]++
	}
	for i, t := range order {
		if count[t] > 1 {
			order[i] = fmt.Sprintf("%s x%d", t, count[t])
		}
	}
	return strings.Join(order, ", ")
}

func newAuditVerifyCmd(g *globals) *cobra.Command {
	var (
		seq      int64
		hash     string
		archives []string
	)
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the audit ledger's hash chain: no record changed, removed or moved",
		Long: `verify asks Ward to read the whole ledger and check each record's hash
against its content and the record before. It prints the last record's seq
and hash: keep them elsewhere and pass them back (--head-seq, --head-hash) to
detect records removed from the end too. With --archive it checks archive
files (records past their retention) on this machine instead, without Ward.
It exits with an error when the chain breaks, saying where.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			headSet := cmd.Flags().Changed("head-seq") || cmd.Flags().Changed("head-hash")
			if headSet && (seq < 1 || hash == "") {
				return errors.New("give --head-seq (from 1) and --head-hash together, as an earlier ward audit verify printed them: either alone checks nothing")
			}
			var v api.AuditVerification
			var err error
			if len(archives) > 0 {
				// Offline: the files alone, in order, as one chain from record 1.
				v, err = audit.VerifyFiles(archives, seq, strings.ToLower(hash))
			} else {
				v, err = g.client().AuditVerify(cmd.Context(), seq, hash)
			}
			if err != nil {
				return err
			}
			if err := g.print(cmd.OutOrStdout(), v, func() string {
				if !v.OK {
					return fmt.Sprintf("the ledger is broken after %d good records: %s", v.Records, v.Problem)
				}
				out := fmt.Sprintf("the ledger is intact: %d records; the last is #%d, hash %s", v.Records, v.HeadSeq, v.HeadHash)
				if v.ArchivedSeq > 0 {
					out += fmt.Sprintf("\nit continues from archived record #%d, hash %s (ward audit verify --archive FILES checks the archive)", v.ArchivedSeq, v.ArchivedHash)
				}
				if v.Unchecked != "" {
					out += "\nnot checked: " + v.Unchecked
				}
				return out
			}); err != nil {
				return err
			}
			if !v.OK {
				return fmt.Errorf("audit ledger verification failed: %s", v.Problem)
			}
			return nil
		},
	}
	cmd.Flags().Int64Var(&seq, "head-seq", 0, "a record's seq kept from an earlier verify")
	cmd.Flags().StringVar(&hash, "head-hash", "", "that record's hash")
	cmd.Flags().StringSliceVar(&archives, "archive", nil, "check these archive files instead (offline, in order, as one chain from record 1); the last record should be the ledger's archived record")
	return cmd
}
