package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
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
	// index finds where a scan from a seq may start reading.
	index seqIndex
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
	l := &File{f: f, lock: lock, path: path, lastHash: Genesis, index: newSeqIndex(defaultIndexCap)}
	// An empty ledger whose records were all archived goes on after them.
	if seq, hash, err := l.Anchor(context.Background()); err != nil {
		l.Close()
		return nil, err
	} else if seq > 0 {
		l.lastSeq, l.lastHash = seq, hash
	}
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
		l.index.add(seq, good)
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
	at := make([]int64, len(recs))
	for i, r := range recs {
		c := *r
		line, err := Seal(&c, seq+1, prev)
		if err != nil {
			return err
		}
		at[i] = l.size + int64(buf.Len())
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
		l.index.add(sealed[i].Seq, at[i])
	}
	return nil
}

// Scan implements Ledger, reading what was appended when it started. It
// starts reading at the index's last entry at or before from.
func (l *File) Scan(ctx context.Context, from int64, fn func(Stored) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// Opened under the lock, f is the file that size and the index describe:
	// an archive replaces the file (a new one renamed over it), and an
	// append only writes past size.
	l.mu.Lock()
	f, err := os.Open(l.path)
	size, start := l.size, l.index.seek(from)
	l.mu.Unlock()
	if err != nil {
		return fmt.Errorf("reading the audit ledger: %w", err)
	}
	defer f.Close()
	if start.at > 0 && (start.at >= size || !startsAt(f, start)) {
		start = offset{}
	}
	return scanReader(ctx, io.NewSectionReader(f, start.at, size-start.at), from, fn)
}

// scanCheckEvery is how many lines scanFile reads between looks at its
// context: a scan of a large ledger ends soon after its caller's deadline.
const scanCheckEvery = 1024

// scanFile passes the records of the file at path (its first size bytes;
// all when size < 0) from seq from on to fn. It returns ctx's error if ctx
// ends before the scan does.
func scanFile(ctx context.Context, path string, size, from int64, fn func(Stored) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading the audit ledger: %w", err)
	}
	defer f.Close()
	var in io.Reader = f
	if size >= 0 {
		in = io.LimitReader(f, size)
	}
	return scanReader(ctx, in, from, fn)
}

// scanReader is scanFile's reading of in, records from seq from on.
func scanReader(ctx context.Context, in io.Reader, from int64, fn func(Stored) error) error {
	r := bufio.NewReaderSize(in, 1<<20)
	for n := 1; ; n++ {
		if n%scanCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
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

// anchorName holds the file ledger's anchor: "SEQ HASH".
const anchorName = "ledger.anchor"

// Anchor implements Ledger.
func (l *File) Anchor(context.Context) (int64, string, error) {
	data, err := os.ReadFile(filepath.Join(filepath.Dir(l.path), anchorName))
	if errors.Is(err, os.ErrNotExist) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("reading the audit ledger's anchor: %w", err)
	}
	var seq int64
	var hash string
	if _, err := fmt.Sscanf(string(data), "%d %s", &seq, &hash); err != nil || len(hash) != 64 {
		return 0, "", fmt.Errorf("the audit ledger's anchor %s does not read (want \"SEQ HASH\")", anchorName)
	}
	return seq, hash, nil
}

// Archive implements Ledger: the archived lines go to w, then the anchor
// is written, then the rest of the file replaces the ledger (a crash in
// between leaves records both archived and in the ledger, never in
// neither).
func (l *File) Archive(ctx context.Context, before time.Time, w io.Writer, synced func() error) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return 0, errors.New("the audit ledger is closed")
	}
	var n, cut, lastSeq int64
	var lastHash string
	var out bytes.Buffer
	err := scanFile(ctx, l.path, l.size, 1, func(s Stored) error {
		var head struct {
			Time time.Time `json:"time"`
		}
		if n == MaxArchive || json.Unmarshal(s.Line, &head) != nil || !head.Time.Before(before) {
			return ErrStop
		}
		seq, ok := seqOf(s.Line)
		if !ok || len(s.Hash) != 64 {
			return ErrStop
		}
		if err := FileFormat(&out, s); err != nil {
			return err
		}
		n, lastSeq, lastHash = n+1, seq, s.Hash
		cut = int64(out.Len())
		return nil
	})
	if err != nil || n == 0 {
		return 0, err
	}
	if _, err := w.Write(out.Bytes()); err != nil {
		return 0, fmt.Errorf("writing the audit archive: %w", err)
	}
	if err := synced(); err != nil {
		return 0, fmt.Errorf("syncing the audit archive: %w", err)
	}
	dir := filepath.Dir(l.path)
	if err := writeSynced(filepath.Join(dir, anchorName), fmt.Appendf(nil, "%d %s\n", lastSeq, lastHash)); err != nil {
		return 0, err
	}
	rest, err := os.ReadFile(l.path)
	if err != nil {
		return 0, err
	}
	rest = rest[cut:l.size]
	if err := writeSynced(l.path, rest); err != nil {
		return 0, err
	}
	f, err := os.OpenFile(l.path, os.O_RDWR, 0o600)
	if err != nil {
		return 0, err
	}
	l.f.Close()
	l.f, l.size = f, int64(len(rest))
	l.index.cut(cut)
	return n, ctx.Err()
}

// writeSynced replaces path with data: a synced temporary file renamed over
// it, and the directory synced.
func writeSynced(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
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
