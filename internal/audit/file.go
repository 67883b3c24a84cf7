package audit

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
)

// File is a ledger in one file on local disk, for a Ward that runs its
// SpiceDB in memory: each record is one line, "HASH<TAB>RECORD-JSON", appended
// and synced to disk before Append returns. One process holds it at a time
// (an exclusive lock on DIR/ledger.lock); several Ward instances share a
// PostgreSQL ledger instead.
type File struct {
	mu       sync.Mutex
	f        *os.File
	lock     *os.File
	path     string
	size     int64
	lastSeq  int64
	lastHash string
}

// FileName is the ledger's file in its directory.
const FileName = "ledger.jsonl"

// OpenFile opens (creating) the ledger in dir. A last line cut short by a
// crash while appending, which was never acknowledged, is removed; anything
// else that does not read is an error (ward audit verify says where).
func OpenFile(dir string) (*File, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the audit directory %s: %w (give --audit-dir a directory Ward may write)", dir, err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, "ledger.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the audit ledger's lock in %s: %w", dir, err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return nil, fmt.Errorf("another process holds the audit ledger in %s: give each Ward process its own --audit-dir, or share one PostgreSQL ledger (--audit-uri)", dir)
	}
	path := filepath.Join(dir, FileName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("opening the audit ledger %s: %w", path, err)
	}
	l := &File{f: f, lock: lock, path: path, lastHash: Genesis}
	if err := l.recover(); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// recover finds the last complete record and cuts off a torn last line.
func (l *File) recover() error {
	if _, err := l.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r := bufio.NewReaderSize(l.f, 1<<20)
	var good int64
	for {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			if len(line) > 0 {
				// Written but never synced whole: never acknowledged.
				if err := l.f.Truncate(good); err != nil {
					return fmt.Errorf("removing a record cut short in %s: %w", l.path, err)
				}
			}
			break
		}
		if err != nil {
			return fmt.Errorf("reading the audit ledger %s: %w", l.path, err)
		}
		s, err := parseLine(line)
		if err != nil {
			return fmt.Errorf("the audit ledger %s does not read at byte %d: %w (ward audit verify tells more)", l.path, good, err)
		}
		seq, ok := seqOf(s.Line)
		if !ok {
			return fmt.Errorf("the audit ledger %s does not read at byte %d: a record without its seq (ward audit verify tells more)", l.path, good)
		}
		l.lastSeq, l.lastHash = seq, s.Hash
		good += int64(len(line))
	}
	l.size = good
	return nil
}

// seqOf reads a stored record's seq, its first field (Record's field order).
func seqOf(line []byte) (int64, bool) {
	rest, ok := bytes.CutPrefix(line, []byte(`{"seq":`))
	if !ok {
		return 0, false
	}
	end := bytes.IndexByte(rest, ',')
	if end < 1 {
		return 0, false
	}
	seq, err := strconv.ParseInt(string(rest[:end]), 10, 64)
	return seq, err == nil
}

func parseLine(line []byte) (Stored, error) {
	line = bytes.TrimSuffix(line, []byte{'\n'})
	hash, rec, ok := bytes.Cut(line, []byte{'\t'})
	if !ok || len(hash) != 64 {
		return Stored{}, errors.New("a line is not HASH<TAB>RECORD")
	}
	return Stored{Line: rec, Hash: string(hash)}, nil
}

// Append implements Ledger: one write and one sync for all of recs.
func (l *File) Append(_ context.Context, recs []*Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return errors.New("the audit ledger is closed")
	}
	var buf bytes.Buffer
	seq, prev := l.lastSeq, l.lastHash
	sealed := make([]Record, len(recs))
	for i, r := range recs {
		c := *r
		line, err := Seal(&c, seq+1, prev)
		if err != nil {
			return err
		}
		buf.WriteString(c.Hash)
		buf.WriteByte('\t')
		buf.Write(line)
		buf.WriteByte('\n')
		seq, prev, sealed[i] = c.Seq, c.Hash, c
	}
	if _, err := l.f.WriteAt(buf.Bytes(), l.size); err != nil {
		_ = l.f.Truncate(l.size) // nothing half-written stays
		return fmt.Errorf("appending to the audit ledger %s: %w", l.path, err)
	}
	if err := l.f.Sync(); err != nil {
		_ = l.f.Truncate(l.size)
		return fmt.Errorf("syncing the audit ledger %s: %w", l.path, err)
	}
	l.size += int64(buf.Len())
	l.lastSeq, l.lastHash = seq, prev
	for i := range recs {
		*recs[i] = sealed[i]
	}
	return nil
}

// Scan implements Ledger, reading what was appended when it started.
func (l *File) Scan(ctx context.Context, from int64, fn func(Stored) error) error {
	l.mu.Lock()
	size := l.size
	l.mu.Unlock()
	f, err := os.Open(l.path)
	if err != nil {
		return fmt.Errorf("reading the audit ledger: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(io.LimitReader(f, size), 1<<20)
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		s, err := parseLine(line)
		if err != nil {
			// Hand it on as is: Verify reports it where the chain breaks.
			s = Stored{Line: bytes.TrimSuffix(line, []byte{'\n'})}
		}
		if seq, ok := seqOf(s.Line); ok && seq < from {
			continue
		}
		if err := fn(s); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
}

// Close implements Ledger.
func (l *File) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var err error
	if l.f != nil {
		err = l.f.Close()
		l.f = nil
	}
	if l.lock != nil {
		_ = l.lock.Close() // releases the flock
		l.lock = nil
	}
	return err
}
