// Package cli is the `ward` command: `ward serve` runs the service, the other
// commands talk to a running Ward over its HTTP API. Every flag can also be set
// from the environment as WARD_<FLAG> (e.g. --spicedb-token: WARD_SPICEDB_TOKEN).
package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/wardhq/ward/client"
)

// Env is the process environment the commands use, so tests can supply their own.
type Env struct {
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Run executes the ward command line.
func Run(ctx context.Context, args []string, env Env) error {
	root := NewRoot(env)
	root.SetArgs(args)
	return root.ExecuteContext(ctx)
}

type globals struct {
	server string
	token  string
	output string
}

// NewRoot builds the command tree.
func NewRoot(env Env) *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "ward",
		Short:         "Ward: permissions for clinic practice-management apps, on SpiceDB",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := bindEnv(cmd.Flags(), env.Getenv); err != nil {
				return err
			}
			if g.output != "text" && g.output != "json" {
				return fmt.Errorf("--output %q: use text or json", g.output)
			}
			return nil
		},
	}
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	pf := root.PersistentFlags()
	pf.StringVar(&g.server, "server", "http://127.0.0.1:8080", "URL of the running Ward the client commands talk to")
	pf.StringVar(&g.token, "token", "", "API key to send to Ward (when it requires one)")
	pf.StringVarP(&g.output, "output", "o", "text", "output format: text or json")
	root.AddCommand(
		newServeCmd(),
		newEventsCmd(g),
		newCheckCmd(g),
		newLookupCmd(g),
		newExplainCmd(g),
		newFieldsCmd(g),
		newSchemaCmd(g),
		newSeedCmd(g),
		newHealthCmd(g, env),
		newMatrixCmd(g),
		newAuditCmd(g),
		newBreakGlassCmd(g),
		newAccessRequestsCmd(g),
		newDelegationsCmd(g),
		newAccessReviewCmd(g),
		newAPIKeysCmd(g),
		newKeysCmd(g),
	)
	return root
}

// bindEnv sets each flag not given on the command line from WARD_<FLAG>.
func bindEnv(flags *pflag.FlagSet, getenv func(string) string) error {
	if getenv == nil {
		return nil
	}
	var err error
	flags.VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed {
			return
		}
		name := "WARD_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(name); v != "" {
			if serr := flags.Set(f.Name, v); serr != nil {
				err = fmt.Errorf("environment variable %s=%q: %w", name, v, serr)
			}
		}
	})
	return err
}

func (g *globals) client() *client.Client { return client.New(g.server, g.token, nil) }

// print writes v as JSON with --output json, else text() for people.
func (g *globals) print(w io.Writer, v any, text func() string) error {
	if g.output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	_, err := fmt.Fprintln(w, text())
	return err
}
