package spicedb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"time"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/wardhq/ward/internal/domain"
)

// readers is how many reads of one ReadAll run at once.
const readers = 8

// ReadAll reads every relationship each filter selects, the reads running
// concurrently, at exactly the revision of at ("" for the newest). The token
// is the revision the first filter that found something was read at ("" when
// none did). A read that fails for a
// reason that may pass is made again.
func (c *Client) ReadAll(ctx context.Context, at string, filters []domain.Filter) ([]domain.Relationship, string, error) {
	results := make([][]domain.Relationship, len(filters))
	tokens := make([]string, len(filters))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(readers)
	for i, f := range filters {
		g.Go(func() error {
			return c.again(gctx, func() (err error) {
				results[i], tokens[i], err = c.readOnce(gctx, toFilter(f), at)
				return err
			})
		})
	}
	if err := g.Wait(); err != nil {
		return nil, "", c.fail(ctx, "reading relationships", exactly(at), "", err)
	}
	// A read that found nothing has no token (SpiceDB gives one a
	// relationship): the first read that found something stands for them.
	token := ""
	if i := slices.IndexFunc(tokens, func(t string) bool { return t != "" }); i >= 0 {
		token = tokens[i]
	}
	return slices.Concat(results...), token, nil
}

// readOnce is one ReadRelationships call, read whole; its error is SpiceDB's.
func (c *Client) readOnce(ctx context.Context, filter *v1.RelationshipFilter, at string) ([]domain.Relationship, string, error) {
	stream, err := c.perms.ReadRelationships(ctx, &v1.ReadRelationshipsRequest{Consistency: exactly(at), RelationshipFilter: filter})
	if err != nil {
		return nil, "", err
	}
	var out []domain.Relationship
	token := ""
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return out, token, nil
		}
		if err != nil {
			return nil, "", err
		}
		out = append(out, fromRelationship(resp.GetRelationship()))
		token = resp.GetReadAt().GetToken()
	}
}

// Write makes w in one WriteRelationships call and returns its ZedToken. A
// failed precondition, or a CREATE of what exists, is domain.ErrRaced. One
// write of this process runs at a time (see Client.writing). A write of
// more than rowsPerStatement updates goes, when the client has one, to its
// ChunkedWriter: still one transaction.
func (c *Client) Write(ctx context.Context, w domain.Write) (string, error) {
	req := &v1.WriteRelationshipsRequest{}
	for _, u := range w.Updates {
		req.Updates = append(req.Updates, &v1.RelationshipUpdate{Operation: toOperation(u.Op), Relationship: toRelationship(u.Rel)})
	}
	for _, p := range w.Preconditions {
		op := v1.Precondition_OPERATION_MUST_NOT_MATCH
		if p.MustMatch {
			op = v1.Precondition_OPERATION_MUST_MATCH
		}
		req.OptionalPreconditions = append(req.OptionalPreconditions, &v1.Precondition{Operation: op, Filter: toFilter(p.Filter)})
	}
	size := proto.Size(req)
	switch {
	case c.chunked != nil && (len(req.Updates) > rowsPerStatement || size > MaxWriteBytes):
		return c.writeChunked(ctx, c.chunked, req)
	case c.large != nil && size > MaxWriteBytes:
		return c.writeChunked(ctx, c.large, req)
	case size > MaxWriteBytes:
		return "", &domain.Error{Code: domain.CodeTooLarge, Index: -1, Message: fmt.Sprintf(
			"this request changes %d relationships, %.1f MiB with their conditions, and SpiceDB takes at most %d MiB in one call; nothing was written: "+
				"send fewer events per request (one event this large, such as a role change that rewrites many holders' conditions, needs Ward's in-process SpiceDB, which writes it in one transaction)",
			len(req.Updates), float64(size)/(1<<20), grpcMaxMessage>>20)}
	}
	c.writing.Lock()
	resp, err := c.perms.WriteRelationships(ctx, req)
	c.writing.Unlock()
	if err != nil {
		return "", c.fail(ctx, "writing relationships", nil, "", err)
	}
	return resp.GetWrittenAt().GetToken(), nil
}

// MaxWriteBytes is the largest WriteRelationships call Ward sends: SpiceDB's
// gRPC server takes messages of at most grpcMaxMessage (its default, which
// v1.57.1 does not let one change), less room for the call's framing. A
// write past it goes to the datastore itself where Ward runs SpiceDB
// (Config.ChunkedWrites, Config.LargeWrites), and is refused elsewhere.
const MaxWriteBytes = grpcMaxMessage - 64<<10

// grpcMaxMessage is the gRPC default bound on a message a server receives.
const grpcMaxMessage = 4 << 20

// writeChunked makes req through a chunked writer and maps the
// datastore's errors as SpiceDB's API would answer them: by their gRPC
// status where they carry one (a serialization failure, a CREATE of what
// exists), and otherwise as an unknown failure, which is unavailable when
// SpiceDB cannot even read (its datastore is down).
func (c *Client) writeChunked(ctx context.Context, w ChunkedWriter, req *v1.WriteRelationshipsRequest) (string, error) {
	c.writing.Lock()
	token, err := w.Write(ctx, req)
	c.writing.Unlock()
	var de *domain.Error
	if err == nil || errors.Is(err, domain.ErrRaced) || errors.As(err, &de) {
		return token, err
	}
	if _, ok := status.FromError(err); !ok && ctx.Err() == nil {
		err = status.Error(codes.Unknown, err.Error())
	}
	return "", c.fail(ctx, "writing relationships", nil, "", err)
}

// importChunk is how many relationships each message of an import carries
// at most.
const importChunk = 1000

// importChunks cuts rels into the messages of an import: importChunk
// relationships each, fewer where their conditions would take a message
// past MaxWriteBytes (SpiceDB takes at most 4 MiB a message). Each chunk is
// new: gRPC may read a sent message later.
func importChunks(rels []domain.Relationship) iter.Seq[[]*v1.Relationship] {
	return func(yield func([]*v1.Relationship) bool) {
		var chunk []*v1.Relationship
		size := 0
		for _, r := range rels {
			rel := toRelationship(r)
			n := proto.Size(rel) + 8 // its field tag and length
			if len(chunk) > 0 && (len(chunk) == importChunk || size+n > MaxWriteBytes) {
				if !yield(chunk) {
					return
				}
				chunk, size = nil, 0
			}
			chunk, size = append(chunk, rel), size+n
		}
		if len(chunk) > 0 {
			yield(chunk)
		}
	}
}

// ImportRelationships writes rels, which must all be new, in one ImportBulkRelationships
// stream: one transaction, all or nothing, and faster than WriteRelationships
// because it inserts in bulk. A relationship that exists already is
// domain.ErrRaced. An import SpiceDB cancels at its stream deadline is
// too_large: nothing was written, and only smaller imports can pass.
func (c *Client) ImportRelationships(ctx context.Context, rels []domain.Relationship) error {
	started := time.Now()
	stream, err := c.perms.ImportBulkRelationships(ctx)
	if err != nil {
		return c.fail(ctx, "importing relationships", nil, "", err)
	}
	for chunk := range importChunks(rels) {
		if err := stream.Send(&v1.ImportBulkRelationshipsRequest{Relationships: chunk}); err != nil {
			break // the stream's own error comes from CloseAndRecv
		}
	}
	if _, err := stream.CloseAndRecv(); err != nil {
		if status.Code(err) == codes.AlreadyExists {
			return domain.ErrRaced
		}
		if c.pastStreamDeadline(ctx, err, time.Since(started)) {
			return &domain.Error{Code: domain.CodeTooLarge, Index: -1, Err: err, Message: fmt.Sprintf(
				"importing %d relationships took longer than SpiceDB lets one stream run without answering (--streaming-api-response-delay-timeout; Ward assumes %v), and SpiceDB cancelled it; "+
					"nothing was imported: split the import into smaller ones (fewer practices, or fewer staff, in each)", len(rels), c.streamTimeout)}
		}
		return c.fail(ctx, "importing relationships", nil, "", err)
	}
	return nil
}
