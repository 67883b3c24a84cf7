package domain

// PlanForEveryone plans events as PlanEvents does, but as if each reached
// everyone: every person's access rewritten and every delegation followed
// after each event. A narrower reach must plan the same.
func PlanForEveryone(events []Event, s *State) (Plan, error) {
	return planWithin(events, s, planOpts{maxChanges: MaxChangesPerRequest, provenance: true, everyone: true})
}
