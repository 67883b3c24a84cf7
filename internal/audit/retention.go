package audit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// DefaultRetention keeps records six years, as HIPAA (45 CFR 164.316)
// requires of its documentation.
const DefaultRetention = 6 * 365 * 24 * time.Hour

// ParseRetention reads a retention as days ("2190d"), years ("6y", of 365
// days) or a Go duration ("8760h").
func ParseRetention(s string) (time.Duration, error) {
	bad := fmt.Errorf("--audit-retention %q: give days (2190d), years (6y) or hours (52560h), at least one day", s)
	var d time.Duration
	switch {
	case strings.HasSuffix(s, "d"), strings.HasSuffix(s, "y"):
		n, err := strconv.Atoi(s[:len(s)-1])
		if err != nil {
			return 0, bad
		}
		days := n
		if strings.HasSuffix(s, "y") {
			days = n * 365
		}
		d = time.Duration(days) * 24 * time.Hour
	default:
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, bad
		}
	}
	if d < 24*time.Hour {
		return 0, bad
	}
	return d, nil
}

// ArchiveOld moves every record older than now-retention out of l into
// archive files in dir, named by their first record ("ward-audit-
// 000000000001.jsonl"), each synced before its records leave the ledger,
// and returns how many moved and the files written.
func ArchiveOld(ctx context.Context, l Ledger, dir string, retention time.Duration, now time.Time) (int64, []string, error) {
	var moved int64
	var files []string
	for {
		after, _, err := l.Anchor(ctx)
		if err != nil {
			return moved, files, err
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return moved, files, fmt.Errorf("creating the audit archive directory %s: %w (give --audit-archive-dir a directory Ward may write)", dir, err)
		}
		path := filepath.Join(dir, fmt.Sprintf("ward-audit-%012d.jsonl", after+1))
		f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
		if err != nil {
			return moved, files, fmt.Errorf("creating the audit archive %s: %w", path, err)
		}
		n, err := l.Archive(ctx, now.Add(-retention), f, f.Sync)
		cerr := f.Close()
		if n == 0 {
			_ = os.Remove(path) // nothing (more) was old enough
		}
		if err == nil {
			err = cerr
		}
		if err != nil {
			return moved, files, err
		}
		if n == 0 {
			return moved, files, nil
		}
		moved += n
		files = append(files, path)
	}
}
