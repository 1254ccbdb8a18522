package erasure

import "context"

// DriveState is whether one drive of a set answers.
type DriveState struct {
	// Drive names the drive as its String method does: a local path, or
	// node/drive for a drive of another node.
	Drive  string `json:"drive"`
	Online bool   `json:"online"`
	// Error says why an offline drive does not answer.
	Error string `json:"error,omitempty"`
}

// DriveStates asks every drive of the set for its disk info and reports
// which answer, in the set's drive order.
func (s *Set) DriveStates(ctx context.Context) []DriveState {
	out := make([]DriveState, len(s.drives))
	errs := s.forEach(func(i int, d Drive) error {
		_, err := d.DiskInfo(ctx)
		return err
	})
	for i, d := range s.drives {
		out[i] = DriveState{Drive: d.String(), Online: errs[i] == nil}
		if errs[i] != nil {
			out[i].Error = errs[i].Error()
		}
	}
	return out
}
