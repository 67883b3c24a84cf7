package schema

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/authzed/spicedb/pkg/development"
	devinterface "github.com/authzed/spicedb/pkg/proto/developer/v1"
)

// Report is the outcome of running a `zed validate` file.
type Report struct {
	Assertions int
	// Failures are "file:line: message" lines; empty when the file passed.
	Failures []string
}

// Validate runs a `zed validate` file's relationships, assertions and expected
// relations. fsys resolves its schemaFile (nil when the schema is inline).
func Validate(ctx context.Context, name string, contents []byte, fsys fs.FS) (Report, error) {
	var opts []development.CompileOption
	if fsys != nil {
		opts = append(opts, development.WithSourceFS(fsys))
	}
	yctx, devErrs, err := development.NewDevContextForYAML(ctx, contents, opts...)
	if err != nil {
		return Report{}, fmt.Errorf("%s: %w", name, err)
	}
	rep := Report{}
	rep.add(name, devErrs.GetInputErrors())
	if len(rep.Failures) > 0 {
		return rep, nil
	}
	defer yctx.DevContext.Dispose()
	rep.Assertions = len(yctx.Assertions.AssertTrue) + len(yctx.Assertions.AssertFalse) + len(yctx.Assertions.AssertCaveated)
	failures, err := development.RunAllAssertions(yctx.DevContext, &yctx.Assertions)
	if err != nil {
		return Report{}, fmt.Errorf("%s: running assertions: %w", name, err)
	}
	rep.add(name, failures)
	if len(yctx.ExpectedRelations.ValidationMap) > 0 {
		_, failures, err := development.RunValidation(yctx.DevContext, &yctx.ExpectedRelations)
		if err != nil {
			return Report{}, fmt.Errorf("%s: running validation: %w", name, err)
		}
		rep.add(name, failures)
	}
	return rep, nil
}

func (r *Report) add(name string, errs []*devinterface.DeveloperError) {
	for _, e := range errs {
		r.Failures = append(r.Failures, fmt.Sprintf("%s:%d: %s", name, e.GetLine(), e.GetMessage()))
	}
}
