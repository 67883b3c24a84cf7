package scenarios

import (
	"context"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/testenv"
)

// slowChecks answers every check after a delay, as a loaded machine might.
type slowChecks struct {
	Client
	delay time.Duration
}

func (s slowChecks) Check(c Check) (bool, error) {
	time.Sleep(s.delay)
	return s.Client.Check(c)
}

// TestLateAnswersRunTheStoryAgain: a check that should find access open,
// answered only after that access ended, proves nothing; the story runs
// again on a new client with a longer window instead of failing, and passes
// there. Were the late answer taken as wrong, t would fail; were it taken as
// right, the story would not run again.
func TestLateAnswersRunTheStoryAgain(t *testing.T) {
	t.Parallel()
	story := Scenario{Name: "a_receptionist_until_the_end", Steps: []Step{
		{Events: `{"type":"staff.added","workspace":"p1","user":"cx","role":"receptionist","expires_at":"{{end}}"}`,
			Checks: []Check{yes("user:cx", "view", "client:ann")}},
		{PastEnd: true, Checks: []Check{no("user:cx", "view", "client:ann")}},
	}}
	const window = 2 * time.Second
	var tries []int
	runWithin(t, story, func(try int) Client {
		tries = append(tries, try)
		c := Adapter(context.Background(), testenv.SpiceDB(t).Service)
		if try == 0 {
			return slowChecks{c, window + time.Second}
		}
		return c
	}, window, 4*window)
	if len(tries) != 2 {
		t.Errorf("the story ran on clients %v, want a late first run and a second one", tries)
	}
}
