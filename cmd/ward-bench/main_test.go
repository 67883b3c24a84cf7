package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReprintsSavedResults: the command prints, and plots, a results file
// saved earlier with --json, without measuring anything.
func TestReprintsSavedResults(t *testing.T) {
	t.Parallel()
	plot := filepath.Join(t.TempDir(), "curve.png")
	var out, progress bytes.Buffer
	if err := run(context.Background(), []string{"--from", "../../docs/bench-memory.json", "--plot", plot}, &out, &progress); err != nil {
		t.Fatalf("%v (%s)", err, progress.String())
	}
	if !strings.Contains(out.String(), "check") || !strings.Contains(out.String(), "memory") {
		t.Errorf("the table does not show the saved checks on memory:\n%s", out.String())
	}
	f, err := os.Open(plot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("--plot did not write a PNG: %v", err)
	}
}

// TestRefusesBadFlags: a flag the command does not know, or a size that is
// not one, is an error before anything is measured.
func TestRefusesBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--size", "10"}, {"--sizes", "ten"}, {"--stores", "mongodb"}, {"events", "--staff", "5"},
		{"cluster"}, {"cluster", "--target", "spicedb:50051", "--spicedb-token", "k"},
		{"cluster", "--target", "a=x:1", "--target", "a=y:1", "--spicedb-token", "k"},
		{"cluster", "--target", "a=x:1", "--spicedb-token", "k", "--relationships", "0"}} {
		if err := run(context.Background(), args, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

func TestEventsCountsReadsAndWrites(t *testing.T) {
	t.Parallel()
	var out, progress bytes.Buffer
	if err := run(context.Background(), []string{"events", "--staff", "30"}, &out, &progress); err != nil {
		t.Fatalf("%v (%s)", err, progress.String())
	}
	if !strings.Contains(out.String(), "| client.created | ") || !strings.Contains(progress.String(), "building a practice of 30 staff") {
		t.Errorf("table:\n%s\nprogress:\n%s", out.String(), progress.String())
	}
}
