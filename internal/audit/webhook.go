package audit

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// KindWebhookFailed is a webhook delivery that failed every attempt: the
// dead-letter list (ward audit --action webhook.failed).
const KindWebhookFailed = "webhook.failed"

// SignatureHeader carries a webhook's signature: "t=UNIX,v1=HEX", HEX being
// HMAC-SHA256, keyed by the webhook secret, of "UNIX.BODY".
const SignatureHeader = "Ward-Signature"

// Sign returns the SignatureHeader value of body sent at t.
func Sign(secret []byte, t time.Time, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	fmt.Fprintf(mac, "%d.", t.Unix())
	mac.Write(body)
	return fmt.Sprintf("t=%d,v1=%s", t.Unix(), hex.EncodeToString(mac.Sum(nil)))
}

// Webhook delivers notices (alerts) to one URL, signed, in the background:
// each is tried Attempts times with doubling pauses from Backoff; one that
// never gets a 2xx is recorded in the ledger as KindWebhookFailed. At most
// QueueLength notices wait; past it, a notice goes straight to the
// dead-letter record.
type Webhook struct {
	URL      string
	Secret   []byte
	Attempts int
	Backoff  time.Duration
	Client   *http.Client
	Recorder *Recorder
	Logger   *slog.Logger

	queue chan Notice
}

// Notice is one webhook delivery: its type, whom the app should tell
// (person IDs; none for an alert to the platform team), and the record (and
// event) it is about.
type Notice struct {
	Type   string   `json:"type"`
	Notify []string `json:"notify,omitempty"`
	// Event is the index, in Record's events, of the event the notice is
	// about (none for an alert).
	Event  *int   `json:"event,omitempty"`
	Record Record `json:"record"`
}

// ParseWebhookURL holds a webhook URL to http(s) with a host.
func ParseWebhookURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("--webhook-url %q: give an http(s) URL, e.g. https://alerts.example.com/ward", s)
	}
	return nil
}

// Start runs the delivery worker until ctx ends.
func (w *Webhook) Start(ctx context.Context) {
	w.queue = make(chan Notice, 256)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case n := <-w.queue:
				w.deliver(ctx, n)
			}
		}
	}()
}

// Send queues n for delivery.
func (w *Webhook) Send(n Notice) {
	if w == nil || w.URL == "" {
		return
	}
	select {
	case w.queue <- n:
	default:
		w.deadLetter(context.Background(), n, 0, "the webhook queue is full")
	}
}

func (w *Webhook) deliver(ctx context.Context, n Notice) {
	body, err := json.Marshal(n)
	if err != nil {
		return
	}
	pause := w.Backoff
	var last string
	for attempt := 1; attempt <= max(w.Attempts, 1); attempt++ {
		if last = w.post(ctx, body); last == "" {
			return
		}
		w.Logger.Warn("webhook delivery failed", "attempt", attempt, "url", w.URL, "error", last)
		if attempt == max(w.Attempts, 1) {
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause *= 2
	}
	w.deadLetter(ctx, n, max(w.Attempts, 1), last)
}

// post sends body once and returns "" on a 2xx answer, else what went wrong.
func (w *Webhook) post(ctx context.Context, body []byte) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, Sign(w.Secret, time.Now(), body))
	resp, err := w.Client.Do(req)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return "HTTP " + strconv.Itoa(resp.StatusCode)
	}
	return ""
}

func (w *Webhook) deadLetter(ctx context.Context, n Notice, attempts int, why string) {
	r := &Record{Time: time.Now(), Kind: KindWebhookFailed, Of: n.Record.Seq, Subject: n.Record.Subject, Workspace: n.Record.Workspace,
		Detail: fmt.Sprintf("%s to %s was not delivered after %d attempts: %s", n.Type, w.URL, attempts, why)}
	if err := w.Recorder.Record(context.WithoutCancel(ctx), r); err != nil {
		w.Logger.Error("a webhook that was not delivered could not be recorded either", "type", n.Type, "error", err)
	}
}
