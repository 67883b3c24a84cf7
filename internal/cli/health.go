package cli

import (
	"fmt"
	"net"

	"github.com/spf13/cobra"

	"github.com/wardhq/ward/client"
)

// newHealthCmd is for container health checks, where no curl exists: it asks
// the Ward this container serves (from WARD_ADDR unless --server is given).
func newHealthCmd(g *globals, env Env) *cobra.Command {
	var ready bool
	cmd := &cobra.Command{
		Use:   "health [--ready]",
		Short: "Exit 0 when Ward is up (--ready: and SpiceDB holds its schema)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			server := g.server
			if !cmd.Flags().Changed("server") && env.Getenv != nil && env.Getenv("WARD_SERVER") == "" {
				if addr := env.Getenv("WARD_ADDR"); addr != "" {
					if _, port, err := net.SplitHostPort(addr); err == nil {
						server = "http://127.0.0.1:" + port
					}
				}
			}
			c := client.New(server, g.token, nil)
			check, what := c.Healthy, "up"
			if ready {
				check, what = c.Ready, "ready"
			}
			if err := check(cmd.Context()); err != nil {
				return err
			}
			_, err := fmt.Fprintln(cmd.OutOrStdout(), what)
			return err
		},
	}
	cmd.Flags().BoolVar(&ready, "ready", false, "also require SpiceDB to be reachable with Ward's schema")
	return cmd
}
