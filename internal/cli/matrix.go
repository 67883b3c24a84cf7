package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newMatrixCmd(g *globals) *cobra.Command {
	var workspace, format string
	cmd := &cobra.Command{
		Use:     "matrix --workspace W [--format text|markdown|json]",
		Short:   "Show what every role of a practice may do, computed from SpiceDB",
		Example: "  ward matrix --workspace riverside --format markdown",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "markdown" && format != "json" {
				return fmt.Errorf("--format %q: use text, markdown or json", format)
			}
			m, err := g.client().Matrix(cmd.Context(), workspace)
			if err != nil {
				return err
			}
			if format == "json" {
				g.output = "json"
			}
			return g.print(cmd.OutOrStdout(), m, func() string {
				if format == "markdown" {
					return m.Markdown()
				}
				return m.Text()
			})
		},
	}
	cmd.Flags().StringVar(&workspace, "workspace", "", "the practice")
	cmd.Flags().StringVar(&format, "format", "text", "text, markdown or json")
	_ = cmd.MarkFlagRequired("workspace")
	return cmd
}
