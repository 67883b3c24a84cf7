package apikeys

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Verbs are the parts of Ward's own API a platform key may be scoped to:
// check (checks), lookup (lookups), explain (explain and role matrices),
// events (events and imports), audit (the ledger) and admin (platform and
// practice keys).
var Verbs = []string{"check", "lookup", "explain", "events", "audit", "admin"}

// Platform is a key for Ward's own API: wp.<id>.<secret>, with a 16-hex-digit
// public ID and a 256-bit secret (64 hex digits). Ward stores the secret's
// SHA-256 only, in the SpiceDB object ID <id>/<sha256>.
type Platform struct{ ID, Secret string }

// platformPrefix starts every platform key.
const platformPrefix = "wp."

// NewPlatform generates a platform key.
func NewPlatform() (Platform, error) {
	id, secret := make([]byte, 8), make([]byte, 32)
	if _, err := rand.Read(id); err != nil {
		return Platform{}, err
	}
	if _, err := rand.Read(secret); err != nil {
		return Platform{}, err
	}
	return Platform{ID: hex.EncodeToString(id), Secret: hex.EncodeToString(secret)}, nil
}

// String is the whole key, secret included.
func (p Platform) String() string { return platformPrefix + p.ID + "." + p.Secret }

// ObjectID is the SpiceDB object ID Ward stores: <id>/<sha256 of the secret>.
func (p Platform) ObjectID() string {
	sum := sha256.Sum256([]byte(p.Secret))
	return p.ID + "/" + hex.EncodeToString(sum[:])
}

// IsPlatform reports whether s looks like a platform key (it may still be
// malformed).
func IsPlatform(s string) bool { return strings.HasPrefix(s, platformPrefix) }

// ParsePlatform reads a platform key; its error never repeats the input.
func ParsePlatform(s string) (Platform, error) {
	if len(s) > 100 {
		return Platform{}, fmt.Errorf("%w: too long for a platform key", ErrInvalid)
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] != "wp" || !ValidID(parts[1]) || !isLowerHex(parts[2], 64) {
		return Platform{}, fmt.Errorf("%w: a platform key looks like wp.<16 hex>.<64 hex>", ErrInvalid)
	}
	return Platform{ID: parts[1], Secret: parts[2]}, nil
}

// Scope is what a platform key may call: its verbs, in the practices listed
// (none listed: every practice). A nil *Scope is a caller with no limits
// (the bootstrap --api-key, or a Ward on loopback that requires no key).
type Scope struct {
	Verbs      []string `json:"verbs"`
	Workspaces []string `json:"workspaces,omitempty"`
}

// Allows reports whether the scope includes verb.
func (s *Scope) Allows(verb string) bool { return s == nil || slices.Contains(s.Verbs, verb) }

// Everywhere reports whether the scope reaches every practice.
func (s *Scope) Everywhere() bool { return s == nil || len(s.Workspaces) == 0 }

// Reaches reports whether the scope reaches practice ws.
func (s *Scope) Reaches(ws string) bool { return s.Everywhere() || slices.Contains(s.Workspaces, ws) }

// MaxScopeWorkspaces bounds the practices one platform key lists.
const MaxScopeWorkspaces = 100

// Validate checks a scope asked for: known verbs, each once, at least one;
// at most MaxScopeWorkspaces practices, each a valid ID, each once.
func (s Scope) Validate(validID func(string) error) error {
	if len(s.Verbs) == 0 {
		return fmt.Errorf("verbs: name at least one of %s", strings.Join(Verbs, ", "))
	}
	for i, v := range s.Verbs {
		if !slices.Contains(Verbs, v) {
			return fmt.Errorf("verbs: %q is not a verb (verbs: %s)", v, strings.Join(Verbs, ", "))
		}
		if slices.Contains(s.Verbs[:i], v) {
			return fmt.Errorf("verbs: %q is named twice", v)
		}
	}
	if len(s.Workspaces) > MaxScopeWorkspaces {
		return fmt.Errorf("workspaces: %d listed, at most %d; leave it out for every practice", len(s.Workspaces), MaxScopeWorkspaces)
	}
	for i, ws := range s.Workspaces {
		if err := validID(ws); err != nil {
			return fmt.Errorf("workspaces: %w", err)
		}
		if slices.Contains(s.Workspaces[:i], ws) {
			return fmt.Errorf("workspaces: %q is named twice", ws)
		}
	}
	return nil
}

// PlatformInfo describes a platform key without its secret.
type PlatformInfo struct {
	ID string `json:"id"`
	Scope
	ExpiresAt *time.Time `json:"expires_at"`
}

// PlatformIssued is a platform key just made: Key is shown this once.
type PlatformIssued struct {
	PlatformInfo
	Key string `json:"key"`
}
