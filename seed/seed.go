// Package seed holds Ward's demo practice as a readable event file (demo.jsonl),
// which `ward serve --demo` and `ward seed load` apply through the events API.
package seed

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/wardhq/ward/internal/domain"
)

// DemoJSONL is the demo practice's events, one JSON object a line.
//
//go:embed demo.jsonl
var DemoJSONL []byte

// DemoRaw returns the demo events' raw JSON.
func DemoRaw() ([]json.RawMessage, error) {
	raws, err := domain.ReadEventLines(bytes.NewReader(DemoJSONL))
	if err != nil {
		return nil, fmt.Errorf("reading the demo seed: %w", err)
	}
	return raws, nil
}

// Demo returns the demo events, parsed.
func Demo() ([]domain.Event, error) {
	raws, err := DemoRaw()
	if err != nil {
		return nil, err
	}
	return domain.ParseEvents(raws)
}
