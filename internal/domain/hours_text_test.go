package domain

import (
	"strings"
	"testing"
)

// TestHoursText: hours read from Monday, a whole week says so, and a
// malformed value is named in the caller's terms.
func TestHoursText(t *testing.T) {
	for _, tt := range []struct{ hours, want string }{
		{`{"timezone":"UTC","windows":[{"days":["mon","tue","wed","thu","fri","sat","sun"],"from":"00:00","to":"24:00"}]}`, "all week (UTC)"},
		{`{"timezone":"UTC","windows":[{"days":["sun","sat","mon"],"from":"09:00","to":"17:00"}]}`, "mon 09:00-17:00, sat 09:00-17:00, sun 09:00-17:00 (UTC)"},
	} {
		h, err := ParseHours([]byte(tt.hours))
		if err != nil {
			t.Fatal(err)
		}
		if got := h.Text(); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.hours, got, tt.want)
		}
	}
	_, err := ParseHours([]byte(`{"timezone":"UTC","windows":[{"days":"mon","from":"09:00","to":"17:00"}]}`))
	if err == nil || !strings.Contains(err.Error(), "windows.0.days must be a list, not a JSON string") || strings.Contains(err.Error(), "Go ") {
		t.Errorf("days as a string: %v; want the field named, and no Go", err)
	}
}
