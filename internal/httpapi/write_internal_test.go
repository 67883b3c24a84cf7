package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/internal/domain"
)

// TestAnswerThatDoesNotEncode: an answer encoding/json cannot write (a time
// past the year 9999) is a 500 in the same {"error": ...} shape as every
// other error, never a success with an empty or partial body.
func TestAnswerThatDoesNotEncode(t *testing.T) {
	rec := httptest.NewRecorder()
	writeJSON(rec, http.StatusOK, map[string]time.Time{"at": time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
	var got api.ErrorResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != http.StatusInternalServerError || got.Error.Code != domain.CodeInternal || got.Error.Message == "" {
		t.Errorf("got %d %s (%v); want 500 with {\"error\": {\"code\": \"internal\", ...}}", rec.Code, rec.Body, err)
	}
}
