package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardhq/ward/schema"
	"github.com/wardhq/ward/seed"
)

func newSchemaCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "schema", Short: "Ward's SpiceDB schema"}
	var local bool
	printCmd := &cobra.Command{
		Use:   "print",
		Short: "Print the schema a running Ward writes (--local: the one built into this binary)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if local {
				_, err := fmt.Fprint(cmd.OutOrStdout(), schema.Text)
				return err
			}
			res, err := g.client().Schema(cmd.Context())
			if err != nil {
				return err
			}
			return g.print(cmd.OutOrStdout(), res, func() string { return strings.TrimRight(res.Schema, "\n") })
		},
	}
	printCmd.Flags().BoolVar(&local, "local", false, "print this binary's schema without asking a server")
	validate := &cobra.Command{
		Use:   "validate [FILE.yaml ...]",
		Short: "Check that a running Ward's SpiceDB holds the current schema, or run `zed validate` files locally",
		Example: `  ward schema validate
  ward schema validate schema/caspen.yaml`,
		RunE: func(cmd *cobra.Command, files []string) error {
			if len(files) == 0 {
				res, err := g.client().Schema(cmd.Context())
				if err != nil {
					return err
				}
				if err := g.print(cmd.OutOrStdout(), res, func() string {
					if res.Current {
						return "SpiceDB holds Ward's current schema"
					}
					return "SpiceDB does NOT hold Ward's current schema: restart `ward serve` to write it"
				}); err != nil {
					return err
				}
				if !res.Current {
					return errors.New("schema is not current")
				}
				return nil
			}
			failed := 0
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					return err
				}
				rep, err := schema.Validate(cmd.Context(), f, data, os.DirFS(filepath.Dir(f)))
				if err != nil {
					return err
				}
				for _, line := range rep.Failures {
					fmt.Fprintln(cmd.OutOrStdout(), line)
				}
				if len(rep.Failures) > 0 {
					failed++
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok, %d assertions hold\n", f, rep.Assertions)
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d files failed validation", failed, len(files))
			}
			return nil
		},
	}
	cmd.AddCommand(printCmd, validate)
	return cmd
}

// seedBatch is how many events `ward seed load` sends a request.
const seedBatch = 200

func newSeedCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "seed", Short: "Load seed data into a running Ward"}
	var file string
	load := &cobra.Command{
		Use:   "load [--file FILE]",
		Short: "Load the demo practice (or a seed file) in batches, showing progress",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var raws []json.RawMessage
			var err error
			if file == "" {
				raws, err = seed.DemoRaw()
			} else {
				raws, err = readEvents(file, cmd.InOrStdin())
			}
			if err != nil {
				return err
			}
			total := 0
			for start := 0; start < len(raws); start += seedBatch {
				end := min(start+seedBatch, len(raws))
				res, err := g.client().ApplyEvents(cmd.Context(), raws[start:end])
				if err != nil {
					return fmt.Errorf("events %d-%d (earlier batches are applied; fix and re-run, re-applying is harmless): %w", start, end-1, err)
				}
				total += res.Touched
				fmt.Fprintf(cmd.ErrOrStderr(), "loaded %d/%d events\n", end, len(raws))
			}
			return g.print(cmd.OutOrStdout(), map[string]int{"events": len(raws), "relationships_written": total}, func() string {
				return fmt.Sprintf("seed loaded: %d events, %d relationships written", len(raws), total)
			})
		},
	}
	load.Flags().StringVarP(&file, "file", "f", "", "seed events file (JSON Lines); default: the built-in demo practice")
	cmd.AddCommand(load)
	return cmd
}
