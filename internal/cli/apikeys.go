package cli

import (
	"bufio"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/internal/apikeys"
)

// newAPIKeysCmd manages the API keys of practices' service accounts.
func newAPIKeysCmd(g *globals) *cobra.Command {
	var ws, actor string
	cmd := &cobra.Command{
		Use:   "api-keys",
		Short: "Make, rotate and revoke the API keys of a practice's service accounts (integrations)",
		Long: `A practice's integrations are service accounts (the service_account.created
event); their keys are made, rotated and revoked by the account owner (--actor).
docs/audit.md describes keys, rotation, rate limits and usage.`,
		Example: `  ward api-keys create --workspace riverside --account widget --actor user:adam
  ward api-keys list --workspace riverside
  ward api-keys rotate 8bbd5a2c18bd1f7f --workspace riverside --actor user:adam
  ward api-keys revoke 8bbd5a2c18bd1f7f --workspace riverside --actor user:adam
  ward api-keys usage 8bbd5a2c18bd1f7f --workspace riverside
  echo "$KEY" | ward api-keys authenticate`,
	}
	var account, expires string
	describeKey := func(k apikeys.Info) string {
		end := "never ends"
		if k.ExpiresAt != nil {
			end = "ends " + k.ExpiresAt.Format(time.RFC3339)
		}
		return fmt.Sprintf("%s  service_account:%s  %s", k.ID, k.Account, end)
	}
	issued := func(k apikeys.Issued) string {
		return fmt.Sprintf("key %s (%s); keep its secret now, Ward will not show it again:\n%s", k.ID, describeKey(k.Info), k.Key)
	}
	create := &cobra.Command{
		Use:   "create",
		Short: "Make a key for a service account (its secret is printed this once)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := g.client().CreateKey(cmd.Context(), ws, api.CreateKeyRequest{Account: account, Actor: actor, ExpiresAt: expires})
			if err != nil {
				return err
			}
			return g.print(cmd.OutOrStdout(), k, func() string { return issued(k) })
		},
	}
	create.Flags().StringVar(&account, "account", "", "the service account the key authenticates")
	create.Flags().StringVar(&expires, "expires-at", "", "when the key ends by itself (RFC 3339); after --api-key-max-age (365 days by default) if not given")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the practice's live keys (without secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := g.client().ListKeys(cmd.Context(), ws)
			if err != nil {
				return err
			}
			return g.print(cmd.OutOrStdout(), l, func() string {
				if len(l.Keys) == 0 {
					return "no live keys"
				}
				lines := make([]string, len(l.Keys))
				for i, k := range l.Keys {
					lines[i] = describeKey(k)
				}
				return strings.Join(lines, "\n")
			})
		},
	}
	rotate := &cobra.Command{
		Use:   "rotate KEY_ID",
		Short: "Make a successor to a key; the old one works 7 more days (or until its end), then stops",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := g.client().RotateKey(cmd.Context(), ws, args[0], api.KeyActionRequest{Actor: actor, ExpiresAt: expires})
			if err != nil {
				return err
			}
			return g.print(cmd.OutOrStdout(), k, func() string { return issued(k) })
		},
	}
	rotate.Flags().StringVar(&expires, "expires-at", "", "when the new key ends (RFC 3339); after --api-key-max-age if not given")
	revoke := &cobra.Command{
		Use:   "revoke KEY_ID",
		Short: "End a key at once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := g.client().RevokeKey(cmd.Context(), ws, args[0], api.KeyActionRequest{Actor: actor})
			if err != nil {
				return err
			}
			return g.print(cmd.OutOrStdout(), k, func() string { return "revoked " + describeKey(k) })
		},
	}
	usage := &cobra.Command{
		Use:   "usage KEY_ID",
		Short: "A key's authentications per day over the last 30 days",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			u, err := g.client().KeyUsage(cmd.Context(), ws, args[0])
			if err != nil {
				return err
			}
			return g.print(cmd.OutOrStdout(), u, func() string {
				if len(u.Days) == 0 {
					return "not used in the last 30 days"
				}
				lines := make([]string, len(u.Days))
				for i, d := range u.Days {
					lines[i] = fmt.Sprintf("%s  %d requests, last at %s", d.Day, d.Requests, d.LastUsed.Format(time.RFC3339))
				}
				return strings.Join(lines, "\n")
			})
		},
	}
	authenticate := &cobra.Command{
		Use:   "authenticate",
		Short: "Say whom a key (read from standard input, so it stays out of the process list) authenticates",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
			if err != nil && line == "" {
				return fmt.Errorf("reading the key from standard input: %w (pipe it in: echo \"$KEY\" | ward api-keys authenticate)", err)
			}
			id, err := g.client().Authenticate(cmd.Context(), strings.TrimSpace(line))
			if err != nil {
				return err
			}
			return g.print(cmd.OutOrStdout(), id, func() string {
				return fmt.Sprintf("%s of workspace %s (key %s)", id.Subject, id.Workspace, id.KeyID)
			})
		},
	}
	for _, c := range []*cobra.Command{create, list, rotate, revoke, usage} {
		c.Flags().StringVar(&ws, "workspace", "", "the practice")
		_ = c.MarkFlagRequired("workspace")
	}
	for _, c := range []*cobra.Command{create, rotate, revoke} {
		c.Flags().StringVar(&actor, "actor", "", `the person asking ("user:adam"): the account owner`)
		_ = c.MarkFlagRequired("actor")
	}
	_ = create.MarkFlagRequired("account")
	cmd.AddCommand(create, list, rotate, revoke, usage, authenticate)
	return cmd
}
