package bench

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/client"
	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/httpapi"
	"github.com/wardhq/ward/internal/spicedb"
	"github.com/wardhq/ward/internal/testenv"
	"github.com/wardhq/ward/schema"
)

// practiceEvents generates one realistic Caspen practice: two locations, an
// owner, a manager, a receptionist, an accountant, practitioners with their
// own clients, and a note, an appointment and an invoice per client.
func practiceEvents(ws string, practitioners, clientsEach int) [][]domain.Event {
	staff := func(user, role string) domain.Event {
		return domain.Event{Type: "staff.added", Workspace: ws, User: user, Role: role}
	}
	setup := []domain.Event{
		{Type: "workspace.created", Workspace: ws, Owner: ws + "-owner", Preset: "caspen"},
		{Type: "location.created", Workspace: ws, Location: ws + "-a"},
		{Type: "location.created", Workspace: ws, Location: ws + "-b"},
		staff(ws+"-pm", "practice_manager"), staff(ws+"-rec", "receptionist"), staff(ws+"-acc", "accountant"),
	}
	// Three practitioners with their clients a request: about 450 relationships,
	// well inside one atomic write's 1,000.
	batches := [][]domain.Event{setup}
	var batch []domain.Event
	for p := range practitioners {
		user := fmt.Sprintf("%s-p%d", ws, p)
		batch = append(batch, staff(user, "practitioner"))
		for c := range clientsEach {
			id := fmt.Sprintf("%s-p%d-c%d", ws, p, c)
			loc := ws + "-a"
			if c%2 == 1 {
				loc = ws + "-b"
			}
			batch = append(batch,
				domain.Event{Type: "client.created", Workspace: ws, Client: id, Location: loc, Practitioner: user},
				domain.Event{Type: "note.created", Workspace: ws, Note: id + "-n", Client: id, Author: user},
				domain.Event{Type: "appointment.booked", Workspace: ws, Appointment: id + "-a", Client: id, Practitioner: user},
				domain.Event{Type: "invoice.created", Workspace: ws, Invoice: id + "-i", Client: id, Practitioner: user})
		}
		if p%3 == 2 || p == practitioners-1 {
			batches = append(batches, batch)
			batch = nil
		}
	}
	return batches
}

func sizes() []int {
	spec := os.Getenv("WARD_BENCH_SIZES")
	if spec == "" {
		spec = "1000,10000"
	}
	var out []int
	for _, s := range strings.Split(spec, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

// BenchmarkScale loads practices through Ward's events path (three
// practitioners and their records a request) until SpiceDB
// holds about N relationships (WARD_BENCH_SIZES, default 1000,10000), reports
// ingestion in relationships per second, then compares a check through Ward's
// HTTP API with the same check straight to SpiceDB at that size.
func BenchmarkScale(b *testing.B) {
	for _, size := range sizes() {
		b.Run(fmt.Sprintf("relationships=%d", size), func(b *testing.B) {
			sdb, conn := start(b)
			ctx := context.Background()
			written, start := 0, time.Now()
			var users, clients []string
			for w := 0; written < size; w++ {
				ws := fmt.Sprintf("w%d", w)
				for _, batch := range practiceEvents(ws, 8, 10) {
					res, err := sdb.Apply(ctx, batch)
					if err != nil {
						b.Fatal(err)
					}
					written += res.Touched
				}
				for p := range 8 {
					users = append(users, fmt.Sprintf("%s-p%d", ws, p))
					clients = append(clients, fmt.Sprintf("%s-p%d-c%d", ws, p, 0))
				}
				fmt.Fprintf(os.Stderr, "\rloading: %d/%d relationships", written, size)
			}
			elapsed := time.Since(start)
			fmt.Fprintf(os.Stderr, "\ningested %d relationships through Ward's events path in %s: %.0f relationships/s\n",
				written, elapsed.Round(time.Millisecond), float64(written)/elapsed.Seconds())

			srv := httptest.NewServer(httpapi.New(sdb, httpapi.Config{}))
			b.Cleanup(srv.Close)
			ward := client.New(srv.URL, "", &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}})
			direct := v1.NewPermissionsServiceClient(conn)
			rng := rand.New(rand.NewPCG(1, 2))
			qs := make([]api.CheckRequest, 64)
			for i := range qs {
				qs[i] = api.CheckRequest{Subject: "user:" + users[rng.IntN(len(users))], Permission: "view_notes", Resource: "client:" + clients[rng.IntN(len(clients))]}
			}
			b.Run("direct_grpc", func(b *testing.B) {
				reqs := make([]*v1.CheckPermissionRequest, len(qs))
				for i, q := range qs {
					reqs[i] = directRequest(b, q)
				}
				measure(b, 1, func(i int) error {
					_, err := direct.CheckPermission(ctx, reqs[i%len(reqs)])
					return err
				})
			})
			// What full consistency costs: the same checks at SpiceDB's default
			// (minimize_latency), which may answer from a snapshot seconds old.
			b.Run("direct_grpc_minimize_latency", func(b *testing.B) {
				reqs := make([]*v1.CheckPermissionRequest, len(qs))
				for i, q := range qs {
					reqs[i] = directRequest(b, q)
					reqs[i].Consistency = &v1.Consistency{Requirement: &v1.Consistency_MinimizeLatency{MinimizeLatency: true}}
				}
				measure(b, 1, func(i int) error {
					_, err := direct.CheckPermission(ctx, reqs[i%len(reqs)])
					return err
				})
			})
			b.Run("ward_http", func(b *testing.B) {
				measure(b, 1, func(i int) error {
					_, err := ward.Check(ctx, qs[i%len(qs)])
					return err
				})
			})
		})
	}
}

// start runs SpiceDB in-process on memdb, or on a fresh PostgreSQL database
// when WARD_BENCH_POSTGRES_URI names a server whose user may CREATE DATABASE.
func start(b *testing.B) (*spicedb.Client, *grpc.ClientConn) {
	admin := os.Getenv("WARD_BENCH_POSTGRES_URI")
	if admin == "" {
		return testenv.Start(b)
	}
	ctx := context.Background()
	pg, err := pgx.Connect(ctx, admin)
	if err != nil {
		b.Fatalf("WARD_BENCH_POSTGRES_URI: %v", err)
	}
	defer pg.Close(ctx)
	name := fmt.Sprintf("ward_bench_%d", time.Now().UnixNano())
	if _, err := pg.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if c, err := pgx.Connect(context.Background(), admin); err == nil {
			_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			_ = c.Close(context.Background())
		}
	})
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	emb, err := spicedb.StartEmbedded(ctx, spicedb.EmbeddedConfig{Engine: spicedb.EnginePostgres, URI: u.String(), Migrate: true}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = emb.Close() })
	c := spicedb.New(emb.Conn(), slog.New(slog.DiscardHandler))
	if _, err := c.WriteSchema(ctx, schema.Text); err != nil {
		b.Fatal(err)
	}
	return c, emb.Conn()
}
