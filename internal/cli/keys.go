package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/internal/apikeys"
)

// newKeysCmd manages platform keys: keys for Ward's own API, each limited
// to verbs and, optionally, to practices.
func newKeysCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Make, list and revoke platform keys for Ward's own API, each limited to verbs and practices",
		Long: `A platform key (wp.…) lets an app service call Ward with only the verbs it
needs (` + strings.Join(apikeys.Verbs, ", ") + `) and, with --workspace, only for some
practices: a key for one practice cannot read or write another. The
bootstrap key (serve --api-key) or an unlimited key with the admin verb
manages them. docs/deployment.md describes what each verb allows.`,
		Example: `  ward keys create --verbs check,lookup --workspace riverside --token "$WARD_BOOTSTRAP_KEY"
  ward keys list
  ward keys revoke 5c1f0a2b9d8e7f60`,
	}
	describe := func(k apikeys.PlatformInfo) string {
		reach := "every practice"
		if len(k.Workspaces) > 0 {
			reach = strings.Join(k.Workspaces, ", ")
		}
		end := "never ends"
		if k.ExpiresAt != nil {
			end = "ends " + k.ExpiresAt.Format(time.RFC3339)
		}
		return fmt.Sprintf("%s  %s  in %s  %s", k.ID, strings.Join(k.Verbs, ","), reach, end)
	}
	var verbs, workspaces []string
	var expires string
	create := &cobra.Command{
		Use:   "create",
		Short: "Make a platform key (its secret is printed this once)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := g.client().CreatePlatformKey(cmd.Context(), api.CreatePlatformKeyRequest{Verbs: verbs, Workspaces: workspaces, ExpiresAt: expires})
			if err != nil {
				return err
			}
			return g.print(cmd.OutOrStdout(), k, func() string {
				return fmt.Sprintf("platform key %s; keep its secret now, Ward will not show it again:\n%s", describe(k.PlatformInfo), k.Key)
			})
		},
	}
	create.Flags().StringSliceVar(&verbs, "verbs", nil, "what the key may call: "+strings.Join(apikeys.Verbs, ", "))
	create.Flags().StringSliceVar(&workspaces, "workspace", nil, "a practice the key reaches (repeat for several); every practice if not given")
	create.Flags().StringVar(&expires, "expires-at", "", "when the key ends by itself (RFC 3339); never if not given")
	_ = create.MarkFlagRequired("verbs")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the live platform keys (without secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := g.client().ListPlatformKeys(cmd.Context())
			if err != nil {
				return err
			}
			return g.print(cmd.OutOrStdout(), l, func() string {
				if len(l.Keys) == 0 {
					return "no live platform keys"
				}
				lines := make([]string, len(l.Keys))
				for i, k := range l.Keys {
					lines[i] = describe(k)
				}
				return strings.Join(lines, "\n")
			})
		},
	}
	revoke := &cobra.Command{
		Use:   "revoke KEY_ID",
		Short: "End a platform key at once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := g.client().RevokePlatformKey(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return g.print(cmd.OutOrStdout(), k, func() string { return "revoked " + describe(k) })
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}
