package domain_test

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/wardhq/ward/internal/domain"
)

func TestZZSeeds(t *testing.T) {
	from, _ := strconv.Atoi(os.Getenv("ZZ_FROM"))
	to, _ := strconv.Atoi(os.Getenv("ZZ_TO"))
	start, _ := apply(t, domain.NewState(), parse(t, planBase+"\n"+`{"type":"staff.added","workspace":"k","user":"p","role":"practitioner"}
{"type":"staff.added","workspace":"w","user":"x","role":"practitioner","expires_at":"2099-01-01T00:00:00Z"}
{"type":"role.assigned","workspace":"w","user":"x","role":"receptionist","location":"north","expires_at":"2098-01-01T00:00:00Z"}
{"type":"client.created","workspace":"k","client":"kc","practitioner":"kp"}
{"type":"staff_permission.changed","workspace":"s","user":"ss","permission":"view_practitioners","value":"on"}
{"type":"staff.disabled","workspace":"w","user":"q"}`+"\n"+manyStaff()))
	for seed := from; seed < to; seed++ {
		t.Logf("seed %d", seed)
		rnd := rand.New(rand.NewPCG(uint64(seed), 3))
		batchDraw{start: start, rnd: rnd, event: randomEvent(rnd, narrowPool, narrowPick), warmup: 3, most: 4, narrowOnly: true}.run(t, func(domain.Needs, []domain.Event, domain.Plan, error) {})
	}
}

func TestZZSeedsS(t *testing.T) {
	from, _ := strconv.Atoi(os.Getenv("ZZ_FROM"))
	to, _ := strconv.Atoi(os.Getenv("ZZ_TO"))
	start, _ := apply(t, domain.NewState(), parse(t, planBase+"\n"+`{"type":"staff_permission.changed","workspace":"s","user":"ss","permission":"view_practitioners","value":"on"}`))
	pick := map[string][]string{}
	for k, v := range narrowPick {
		pick[k] = v
	}
	pick["ws"] = []string{"s"}
	pick["user"] = []string{"ss", "sa", "x", "so"}
	pick["role"] = []string{"office_staff", "practice_administrator", "practitioner"}
	for seed := from; seed < to; seed++ {
		t.Logf("seed %d", seed)
		rnd := rand.New(rand.NewPCG(uint64(seed), 3))
		batchDraw{start: start, rnd: rnd, event: randomEvent(rnd, narrowPool, pick), warmup: 5, most: 4, narrowOnly: true}.run(t, func(domain.Needs, []domain.Event, domain.Plan, error) {})
	}
}
