package spicedb

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/authzed/authzed-go/pkg/requestmeta"
	"github.com/authzed/authzed-go/pkg/responsemeta"
	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	"golang.org/x/mod/semver"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// MinVersion is the oldest SpiceDB Ward runs against without a warning: the
// version Ward is built and tested with, the first with both fixes below.
const MinVersion = "v1.57.1"

// advisory is a known SpiceDB fault that wrongly grants access, with the
// versions it affects ([from, fixed)).
type advisory struct{ id, from, fixed, what string }

var advisories = []advisory{
	{"GHSA-w278-32qg-48q5", "v1.40.0", "v1.57.1", "expired relationships still count where a relation mixes `with expiration` and a non-terminal relation of the same subject type"},
	{"authzed/spicedb#3431", "v1.54.0", "v1.57.1", "with the dispatch caches on, an expired relationship keeps granting until the next write"},
}

// ServerVersion asks the SpiceDB behind conn for its version. SpiceDB answers
// a call that carries the io.spicedb.requestversion header with its version
// in the io.spicedb.debug.version trailer (pkg/middleware/serverversion),
// unless it runs with --disable-version-response; then, or for an answer
// without one, the version is "".
func ServerVersion(ctx context.Context, conn grpc.ClientConnInterface) (string, error) {
	ctx = requestmeta.AddRequestHeaders(ctx, requestmeta.RequestServerVersion)
	var header, trailer metadata.MD
	_, err := v1.NewSchemaServiceClient(conn).ReadSchema(ctx, &v1.ReadSchemaRequest{}, grpc.Header(&header), grpc.Trailer(&trailer))
	if err != nil && status.Code(err) != codes.NotFound { // no schema yet still answers
		return "", translateErr("asking SpiceDB's version", err)
	}
	// v1.57.1 answers in the trailer; authzed-go documents a header.
	for _, md := range []metadata.MD{trailer, header} {
		if vs := md.Get(string(responsemeta.ServerVersion)); len(vs) > 0 {
			return vs[0], nil
		}
	}
	return "", nil
}

// WarnIfOld logs a warning when the SpiceDB behind conn is older than
// MinVersion, naming what it is exposed to, or when it does not say its
// version. Ward cannot fix the server; its operator can upgrade it.
func WarnIfOld(ctx context.Context, conn grpc.ClientConnInterface, logger *slog.Logger) {
	seen, err := ServerVersion(ctx, conn)
	if err != nil {
		logger.Warn(fmt.Sprintf("could not ask SpiceDB its version: make sure it is %s or newer", MinVersion), "error", err.Error())
		return
	}
	if msg := versionWarning(seen); msg != "" {
		logger.Warn(msg, "spicedb_version", seen, "want", MinVersion)
		return
	}
	logger.Info("SpiceDB version", "spicedb_version", seen)
}

// versionWarning is what to say about SpiceDB at version seen, "" for nothing.
func versionWarning(seen string) string {
	v := seen
	if v != "" && !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	var ids []string
	for _, a := range advisories {
		ids = append(ids, a.id)
	}
	if !semver.IsValid(v) {
		return fmt.Sprintf("SpiceDB did not tell its version (it answered %q; a development build, or --disable-version-response): "+
			"make sure it is %s or newer, or it may grant expired access (%s)", seen, MinVersion, strings.Join(ids, ", "))
	}
	if semver.Compare(v, MinVersion) >= 0 {
		return ""
	}
	var hits []string
	for _, a := range advisories {
		if semver.Compare(v, a.from) >= 0 && semver.Compare(v, a.fixed) < 0 {
			hits = append(hits, fmt.Sprintf("%s (%s; %s to before %s)", a.id, a.what, a.from, a.fixed))
		}
	}
	if len(hits) == 0 {
		return fmt.Sprintf("SpiceDB %s is older than %s, which Ward is built and tested with: upgrade SpiceDB", seen, MinVersion)
	}
	return fmt.Sprintf("SpiceDB %s is older than %s and is affected by %s: upgrade SpiceDB to %s or newer; Ward cannot work around it",
		seen, MinVersion, strings.Join(hits, " and "), MinVersion)
}
