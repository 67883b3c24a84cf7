package spicedb

import (
	"context"
	"errors"
	"io"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	"github.com/authzed/spicedb/pkg/zedtoken"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wardhq/ward/internal/domain"
)

// Request fields a revision can come from, for errors about them.
const (
	fieldZedToken = "zedtoken"
	fieldCursor   = "cursor"
)

// originOf is the datastore a ZedToken names (the prefix of SpiceDB's unique
// ID for its datastore), or "" when it names none (a legacy token) or does not
// decode; SpiceDB then judges the token itself.
func originOf(token string) string {
	decoded, err := zedtoken.Decode(&v1.ZedToken{Token: token})
	if err != nil {
		return ""
	}
	return decoded.GetV1().GetDatastoreUniqueIdPrefix()
}

// callerConsistency is the consistency of a read that must be at least as
// fresh as the caller's token (or fully consistent without one). A token of
// another datastore is refused as the caller's error: SpiceDB would silently
// read at its newest revision instead (--mismatch-zed-token-behavior's
// default), and the caller would never learn that the token is meaningless here.
//
// Without a token, and with Config.Head or Config.Barrier, the read is at
// least as fresh as a revision taken after the call began (fresh.go): a write
// acknowledged anywhere before the call is seen. If that fails, the read
// falls back to SpiceDB's full consistency.
func (c *Client) callerConsistency(ctx context.Context, token string) (*v1.Consistency, error) {
	if token != "" {
		if err := c.checkOrigin(ctx, token, fieldZedToken); err != nil {
			return nil, err
		}
		return consistency(token), nil
	}
	if c.heads != nil {
		head, err := c.heads.get(ctx)
		if err == nil {
			return consistency(head), nil
		}
		if ctx.Err() != nil {
			return nil, translateErr("reading SpiceDB's newest revision", err)
		}
		c.logger.Warn("reading the datastore's newest revision failed; reading fully consistent instead", "error", err)
	}
	return consistency(""), nil
}

// checkOrigin refuses a token (from field) that names another datastore than
// SpiceDB's own. What SpiceDB's own is, is learned from a token it answers,
// and learned again when a token disagrees: SpiceDB may have been replaced, or
// restarted on a fresh in-memory datastore, under a running Ward.
func (c *Client) checkOrigin(ctx context.Context, token, field string) error {
	theirs := originOf(token)
	if theirs == "" {
		return nil
	}
	if ours := c.origin.Load(); ours != nil && *ours == theirs {
		return nil
	}
	ours := c.learnOrigin(ctx)
	if ours == "" {
		// Nothing to compare with; SpiceDB treats a foreign token as a
		// request for full consistency, which is safe.
		return nil
	}
	if ours == theirs {
		return nil
	}
	what := "is a ZedToken of another SpiceDB datastore (or of an in-memory one since restarted): drop it and read again without one"
	if field == fieldCursor {
		what = "belongs to another SpiceDB datastore (or to an in-memory one since restarted): start again from the first page, without a cursor"
	}
	return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: field, Message: what}
}

// ownOrigin is the datastore SpiceDB's tokens name, as last learned, or
// learned now.
func (c *Client) ownOrigin(ctx context.Context) string {
	if ours := c.origin.Load(); ours != nil {
		return *ours
	}
	return c.learnOrigin(ctx)
}

// learnOrigin asks SpiceDB which datastore its tokens name now, and keeps
// the answer; "" when it could not say (or names none).
func (c *Client) learnOrigin(ctx context.Context) string {
	resp, err := c.schema.ReadSchema(ctx, &v1.ReadSchemaRequest{})
	ours := originOf(resp.GetReadAt().GetToken())
	if err != nil || ours == "" {
		return ""
	}
	c.origin.Store(&ours)
	return ours
}

// fail turns the error of a SpiceDB call made at cons into a domain error.
// field names the request field cons's revision came from ("" when Ward chose
// it). Where a status code alone does not say whose fault a failure is, fail
// asks SpiceDB the simplest question it has (probe) and compares:
//
//   - InvalidArgument is how SpiceDB refuses a ZedToken it cannot decode,
//     and OutOfRange one at a revision it cannot serve (v1.57.1: ahead of
//     its newest on memdb, or outside its GC window when read exactly); other
//     refusals share both codes. If the probe at the same revision fails
//     alike, the token is at fault.
//   - Unknown and Internal are what SpiceDB answers when it cannot reach its
//     datastore (v1.57.1 on PostgreSQL: "unexpected consistency middleware
//     error" and raw driver errors), and also for its own faults. If a fully
//     consistent probe fails too, SpiceDB can serve nothing at all: that is
//     unavailability, not a fault of this request.
func (c *Client) fail(ctx context.Context, op string, cons *v1.Consistency, field string, err error) error {
	st, ok := status.FromError(err)
	if err == nil || !ok || ctx.Err() != nil || reasonOf(st) != v1.ErrorReason_ERROR_REASON_UNSPECIFIED {
		return translateErr(op, err)
	}
	switch st.Code() {
	case codes.InvalidArgument, codes.OutOfRange:
		if field != "" && status.Code(c.probe(ctx, cons)) == st.Code() {
			code := st.Code()
			if code == codes.OutOfRange && originOf(tokenOf(cons)) == "" && c.ownOrigin(ctx) != "" {
				// This SpiceDB's tokens name its datastore: one ahead of it
				// that names none was made up, and no wait helps.
				code = codes.InvalidArgument
			}
			return revisionErr(field, code, err)
		}
	case codes.Unknown, codes.Internal:
		if perr := c.probe(ctx, consistency("")); perr != nil && mayPass(perr) {
			return spicedbErr(domain.CodeUnavailable, op, "SpiceDB cannot serve even its simplest read, so it cannot reach its datastore (PostgreSQL?); nothing was written: retry shortly, and check SpiceDB's datastore (see /readyz)", err)
		}
	}
	return translateErr(op, err)
}

// tokenOf is the ZedToken cons reads at ("" for none).
func tokenOf(cons *v1.Consistency) string {
	if t := cons.GetAtLeastAsFresh(); t != nil {
		return t.GetToken()
	}
	return cons.GetAtExactSnapshot().GetToken()
}

// revisionErr is the caller's error for a revision SpiceDB refused with code.
func revisionErr(field string, code codes.Code, cause error) error {
	e := &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: field, Err: cause}
	switch {
	case field == fieldCursor:
		e.Message = "is not a cursor of this Ward, or its revision is no longer held by SpiceDB (past its GC window): start again from the first page, without a cursor"
	case code == codes.OutOfRange:
		e.Code = domain.CodeNotYet
		e.Message = "names a revision SpiceDB has not reached yet: retry shortly with the same token, or without one to read the newest"
	default:
		e.Message = "is not a ZedToken this SpiceDB issued: pass the zedtoken of an earlier answer unchanged, or none"
	}
	return e
}

// probe reads at most one relationship at cons and returns SpiceDB's error,
// nil when it answered.
func (c *Client) probe(ctx context.Context, cons *v1.Consistency) error {
	stream, err := c.perms.ReadRelationships(ctx, &v1.ReadRelationshipsRequest{
		Consistency: cons, RelationshipFilter: &v1.RelationshipFilter{ResourceType: domain.TypeWorkspace}, OptionalLimit: 1,
	})
	if err != nil {
		return err
	}
	for {
		if _, err := stream.Recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}
