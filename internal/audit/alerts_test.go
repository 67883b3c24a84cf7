package audit

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestBulkAccessAlertsOncePerWindow(t *testing.T) {
	t.Parallel()
	b := &BulkAccess{Limit: 3, Window: 10 * time.Minute}
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	var fired []int
	for i, c := range []struct {
		subject, resource string
		at                time.Duration
	}{
		{"user:eve", "client:a", 0}, {"user:eve", "client:a", time.Minute}, // the same record twice counts once
		{"user:eve", "client:b", 2 * time.Minute}, {"user:eve", "client:c", 3 * time.Minute},
		{"user:bob", "client:a", 3 * time.Minute}, // someone else
		{"user:eve", "client:d", 4 * time.Minute}, // the 4th distinct: alert
		{"user:eve", "client:e", 5 * time.Minute}, // still in the window: no second alert
		{"user:eve", "client:f", 30 * time.Minute}, {"user:eve", "client:g", 31 * time.Minute},
		{"user:eve", "client:h", 32 * time.Minute}, {"user:eve", "client:i", 33 * time.Minute}, // a new window: alert again
	} {
		if n, ok := b.Observe(c.subject, c.resource, t0.Add(c.at)); ok {
			fired = append(fired, i)
			if n != 4 {
				t.Errorf("read %d: counted %d, want 4", i, n)
			}
		}
	}
	if fmt.Sprint(fired) != "[5 10]" {
		t.Errorf("alerts at reads %v, want [5 10]", fired)
	}
	if _, ok := (&BulkAccess{}).Observe("user:x", "client:y", t0); ok {
		t.Error("a zero limit alerted")
	}
}

// TestWebhookSignsRetriesAndDeadLetters: a delivery carries a signature the
// receiver can check with the secret; a failing receiver is retried, and
// a delivery that never succeeds lands in the ledger as webhook.failed.
func TestWebhookSignsRetriesAndDeadLetters(t *testing.T) {
	t.Parallel()
	secret := []byte("webhook-secret-0123456789")
	var calls, fails atomic.Int64
	fails.Store(2)
	got := make(chan string, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		var ts int64
		var sig string
		if _, err := fmt.Sscanf(strings.Replace(r.Header.Get(SignatureHeader), ",v1=", " ", 1), "t=%d %s", &ts, &sig); err != nil {
			t.Errorf("signature header %q", r.Header.Get(SignatureHeader))
		}
		want := Sign(secret, time.Unix(ts, 0), body)
		if !hmac.Equal([]byte(want), []byte(r.Header.Get(SignatureHeader))) {
			t.Errorf("the signature does not match the body")
		}
		if fails.Add(-1) >= 0 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		got <- string(body)
	}))
	defer srv.Close()
	l := openFile(t, t.TempDir())
	defer l.Close()
	rec := NewRecorder(l)
	defer rec.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hook := &Webhook{URL: srv.URL, Secret: secret, Attempts: 3, Backoff: time.Millisecond, Client: srv.Client(), Recorder: rec, Logger: slog.New(slog.DiscardHandler)}
	hook.Start(ctx)
	hook.Send(Notice{Type: KindAlert, Record: Record{Seq: 7, Kind: KindAlert, Subject: "user:eve"}})
	select {
	case body := <-got:
		var n Notice
		if err := json.Unmarshal([]byte(body), &n); err != nil || n.Type != KindAlert || n.Record.Subject != "user:eve" {
			t.Errorf("delivered %s", body)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the alert was not delivered after two failures")
	}
	if calls.Load() != 3 {
		t.Errorf("%d attempts, want 3 (two failed)", calls.Load())
	}

	fails.Store(100) // the receiver is down for good
	hook.Send(Notice{Type: KindAlert, Record: Record{Seq: 9, Kind: KindAlert, Subject: "user:mal", Workspace: "riverside"}})
	deadline := time.Now().Add(5 * time.Second)
	for {
		recs, _, err := Query(ctx, l, Filter{Action: KindWebhookFailed}, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 1 {
			if recs[0].Of != 9 || recs[0].Workspace != "riverside" || !strings.Contains(recs[0].Detail, "after 3 attempts: HTTP 502") {
				t.Errorf("dead letter %+v", recs[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no dead-letter record after the receiver kept failing")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
