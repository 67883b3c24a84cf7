// Package golden compares generated files with their committed copies, and
// rewrites them when a test binary runs with -update.
package golden

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

// Update is set by -update.
var Update = flag.Bool("update", false, "rewrite generated files instead of comparing them")

// Check fails t unless the file at path holds want; with -update it writes want
// there first. regenerate is the command that rewrites the file.
func Check(t testing.TB, path string, want []byte, regenerate string) {
	t.Helper()
	if *Update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run %s)", err, regenerate)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is out of date: run %s and review the diff", path, regenerate)
	}
}
