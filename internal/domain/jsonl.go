package domain

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// ReadEventLines reads events as JSON Lines (one object a line; blank lines and
// lines starting with '#' or '//' are skipped), or as one JSON document
// {"events": [...]}. It returns each event's raw JSON for ParseEvents.
func ReadEventLines(r io.Reader) ([]json.RawMessage, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(data)
	if bytes.HasPrefix(trimmed, []byte("{")) {
		var doc struct {
			Events []json.RawMessage `json:"events"`
		}
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err == nil && doc.Events != nil && !dec.More() {
			return doc.Events, nil
		}
	}
	var out []json.RawMessage
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' || bytes.HasPrefix(line, []byte("//")) {
			continue
		}
		if !json.Valid(line) {
			return nil, fmt.Errorf("line %d is not valid JSON", n)
		}
		out = append(out, json.RawMessage(bytes.Clone(line)))
	}
	return out, sc.Err()
}

// ReadEvents reads events as ReadEventLines does and parses them.
func ReadEvents(r io.Reader) ([]Event, error) {
	raws, err := ReadEventLines(r)
	if err != nil {
		return nil, err
	}
	return ParseEvents(raws)
}

// ReadImport reads an import's events as ReadEventLines does and parses
// them as ParseImport does (more than one request takes).
func ReadImport(r io.Reader) ([]Event, error) {
	raws, err := ReadEventLines(r)
	if err != nil {
		return nil, err
	}
	return ParseImport(raws)
}
