// Package apikeys makes, parses and meters the API keys of a Ward practice.
//
// A key is four parts joined by dots:
//
//	wk.<workspace>.<id>.<secret>
//
// "wk" marks a Ward key. The workspace is the practice's Ward ID (letters,
// digits, '_', '-', '=', '+' or '|'; 1-128 of them). The id is 16 lowercase
// hex characters (8 random bytes); it is public and shown in lists. The
// secret is 64 lowercase hex characters (32 random bytes, 256 bits) and is
// shown once, when the key is made.
//
// Ward never stores the secret. It stores the key as the SpiceDB object ID
// <workspace>/<id>/<sha256 hex of the secret> (see Key.ObjectID). SpiceDB
// allows '/' in object IDs and Ward IDs do not, so such an ID cannot collide
// with any other Ward object.
package apikeys

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

const (
	prefix    = "wk"
	idLen     = 16  // hex characters of an id
	secretLen = 64  // hex characters of a secret
	hashLen   = 64  // hex characters of a SHA-256
	maxKeyLen = 300 // longest input Parse looks at
	format    = "it must look like wk.<practice>.<16 hex>.<64 hex>"
)

// workspacePattern is the pattern of Ward IDs.
var workspacePattern = regexp.MustCompile(`^[A-Za-z0-9_|=+\-]{1,128}$`)

// ErrInvalid is wrapped by every error from Parse.
var ErrInvalid = errors.New("not a Ward API key")

// Key is one API key of a practice.
type Key struct {
	Workspace string // the practice's Ward ID
	ID        string // 16 lowercase hex characters; public
	Secret    string // 64 lowercase hex characters; never stored
}

// New makes a key with a fresh random id and secret for workspace.
func New(workspace string) (Key, error) {
	if !workspacePattern.MatchString(workspace) {
		return Key{}, fmt.Errorf("workspace %q is not a valid ID: use 1-128 letters, digits, '_', '-', '=', '+' or '|'", workspace)
	}
	id, err := randomHex(idLen / 2)
	if err != nil {
		return Key{}, err
	}
	secret, err := randomHex(secretLen / 2)
	if err != nil {
		return Key{}, err
	}
	return Key{Workspace: workspace, ID: id, Secret: secret}, nil
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("reading random bytes: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// String returns the full key, secret included.
func (k Key) String() string {
	return prefix + "." + k.Workspace + "." + k.ID + "." + k.Secret
}

// ObjectID returns the SpiceDB object ID Ward stores for the key:
// <workspace>/<id>/<sha256 hex of the secret>.
func (k Key) ObjectID() string {
	sum := sha256.Sum256([]byte(k.Secret))
	return ObjectPrefix(k.Workspace, k.ID) + hex.EncodeToString(sum[:])
}

// Parse reads a key strictly. Its errors wrap ErrInvalid and never repeat
// any part of s.
func Parse(s string) (Key, error) {
	if len(s) > maxKeyLen {
		return Key{}, invalid(fmt.Sprintf("it is longer than %d bytes", maxKeyLen))
	}
	parts := strings.Split(s, ".")
	if parts[0] != prefix {
		return Key{}, invalid(`it does not start with "wk."`)
	}
	if len(parts) != 4 {
		return Key{}, invalid(fmt.Sprintf("it has %d dot-separated parts, not 4", len(parts)))
	}
	k := Key{Workspace: parts[1], ID: parts[2], Secret: parts[3]}
	switch {
	case !workspacePattern.MatchString(k.Workspace):
		return Key{}, invalid("the practice is not a valid Ward ID")
	case !ValidID(k.ID):
		return Key{}, invalid("the id is not 16 lowercase hex characters")
	case !isLowerHex(k.Secret, secretLen):
		return Key{}, invalid("the secret is not 64 lowercase hex characters")
	}
	return k, nil
}

func invalid(reason string) error {
	return fmt.Errorf("%w: %s; %s", ErrInvalid, reason, format)
}

// ValidID reports whether id is a key id: 16 lowercase hex characters.
func ValidID(id string) bool {
	return isLowerHex(id, idLen)
}

// ObjectPrefix returns <workspace>/<id>/, the start of the object ID of the
// key with that id.
func ObjectPrefix(workspace, id string) string {
	return workspace + "/" + id + "/"
}

// SplitObjectID returns the workspace and id of an object ID made by
// Key.ObjectID. ok is false if obj is not such an ID.
func SplitObjectID(obj string) (workspace, id string, ok bool) {
	parts := strings.Split(obj, "/")
	if len(parts) != 3 ||
		!workspacePattern.MatchString(parts[0]) ||
		!ValidID(parts[1]) ||
		!isLowerHex(parts[2], hashLen) {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// isLowerHex reports whether s is exactly n lowercase hex characters.
func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
