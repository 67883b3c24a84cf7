package audit

import (
	"bytes"
	"io"
	"os"
	"strconv"
)

// offset is where a record's line starts in the file ledger.
type offset struct{ seq, at int64 }

// defaultIndexCap bounds a file ledger's index: 4,096 entries (64 KiB),
// one every 1,024 records up to 4 million records, then one every 2,048,
// and so on.
const defaultIndexCap = 4096

// seqIndex is a sparse index from seq to byte offset in the file ledger, so
// that a page with a cursor starts reading near its first record instead of
// parsing every record before it. It holds an entry every stride records
// (the first record always among them); when it reaches its cap, every
// other entry is dropped and the stride doubles. It is only kept while the
// file's seqs run one after another; otherwise it is off and scans start at
// the beginning, as they always may.
type seqIndex struct {
	entries []offset
	stride  int64
	cap     int
	off     bool
	// since counts the records after the last entry.
	since int64
	// last is the last record's seq.
	last int64
}

func newSeqIndex(limit int) seqIndex {
	return seqIndex{stride: scanCheckEvery, cap: max(limit, 2)}
}

// add notes that record seq's line starts at at.
func (x *seqIndex) add(seq, at int64) {
	if x.off {
		return
	}
	if len(x.entries) > 0 && seq != x.last+1 {
		x.off, x.entries = true, nil
		return
	}
	x.last = seq
	if len(x.entries) > 0 && x.since+1 < x.stride {
		x.since++
		return
	}
	if len(x.entries) == x.cap {
		kept := x.entries[:0]
		for i := 0; i < len(x.entries); i += 2 {
			kept = append(kept, x.entries[i])
		}
		x.entries, x.stride = kept, x.stride*2
	}
	x.entries = append(x.entries, offset{seq, at})
	x.since = 0
}

// cut drops what an archive removed: the first n bytes of the file.
func (x *seqIndex) cut(n int64) {
	if x.off {
		return
	}
	i := 0
	for i < len(x.entries) && x.entries[i].at < n {
		i++
	}
	kept := make([]offset, 0, len(x.entries)-i)
	for _, e := range x.entries[i:] {
		kept = append(kept, offset{e.seq, e.at - n})
	}
	x.entries = kept
	if len(kept) == 0 {
		// Start again with the next record appended.
		x.since = 0
	}
}

// seek is the last entry at or before seq from (the start of the file when
// none is).
func (x *seqIndex) seek(from int64) offset {
	var best offset
	lo, hi := 0, len(x.entries)
	for lo < hi {
		m := (lo + hi) / 2
		if x.entries[m].seq <= from {
			best, lo = x.entries[m], m+1
		} else {
			hi = m
		}
	}
	return best
}

// startsAt reports whether record e.seq's line starts at e.at in f: a file
// changed behind the ledger's back is read from its start instead.
func startsAt(f *os.File, e offset) bool {
	buf := make([]byte, 64+1+len(`{"seq":`)+20+1)
	n, err := f.ReadAt(buf, e.at)
	if err != nil && err != io.EOF {
		return false
	}
	want := strconv.AppendInt([]byte(`{"seq":`), e.seq, 10)
	want = append(want, ',')
	return n > 65 && buf[64] == '\t' && bytes.HasPrefix(buf[65:n], want)
}
