package model

import "time"

// Metadata is the part of every resource that the server manages. Name and
// Labels come from the client; the rest is filled in by the server.
type Metadata struct {
	// Name is the client-chosen name, unique within the parent.
	Name string `json:"name"`
	// UID identifies this incarnation of the resource: a resource deleted
	// and created again under the same name gets a new UID.
	UID string `json:"uid,omitempty"`
	// Generation counts changes to the spec and labels, starting at 1.
	Generation int64 `json:"generation,omitempty"`
	// ETag changes on every write, status included.
	ETag string `json:"etag,omitempty"`
	// Labels are free-form key/value pairs for the user.
	Labels map[string]string `json:"labels,omitempty"`
	// CreateTime and UpdateTime are set by the server.
	CreateTime time.Time `json:"createTime,omitzero"`
	UpdateTime time.Time `json:"updateTime,omitzero"`
	// DeleteTime is set once a DELETE was accepted and the work runs.
	DeleteTime *time.Time `json:"deleteTime,omitempty"`
}

// Condition types reported in every resource's status.
const (
	// ConditionReady is True when the resource is what its spec says.
	ConditionReady = "Ready"
	// ConditionReconciling is True while the control plane is working.
	ConditionReconciling = "Reconciling"
	// ConditionDegraded is True when something needs attention; its
	// message says what.
	ConditionDegraded = "Degraded"
	// ConditionDeleteRefused is True when the control plane refused the
	// last DELETE after accepting it (a bucket that still holds objects):
	// the resource is kept, no longer being deleted, and the message says
	// what to do. A new DELETE sets it False.
	ConditionDeleteRefused = "DeleteRefused"
	// ConditionProgressing is True while a tenant's nodes restart to take
	// new settings or a new topology (reason NodesRestarting).
	ConditionProgressing = "Progressing"
	// ConditionDecommissioning is True while a tenant moves the objects of
	// removed pools to its other pools; its message gives the counts.
	ConditionDecommissioning = "Decommissioning"
)

// Condition statuses.
const (
	StatusTrue    = "True"
	StatusFalse   = "False"
	StatusUnknown = "Unknown"
)

// Condition is one typed observation about a resource, following the
// Kubernetes API conventions.
type Condition struct {
	Type               string    `json:"type"`
	Status             string    `json:"status"`
	Reason             string    `json:"reason,omitempty"`
	Message            string    `json:"message,omitempty"`
	ObservedGeneration int64     `json:"observedGeneration,omitempty"`
	LastTransitionTime time.Time `json:"lastTransitionTime,omitzero"`
}

// Conditions is a resource's list of conditions, at most one per type.
type Conditions []Condition

// Get returns the condition of the given type, or nil.
func (cs Conditions) Get(typ string) *Condition {
	for i := range cs {
		if cs[i].Type == typ {
			return &cs[i]
		}
	}
	return nil
}

// IsTrue reports whether the condition of the given type is True.
func (cs Conditions) IsTrue(typ string) bool {
	c := cs.Get(typ)
	return c != nil && c.Status == StatusTrue
}

// Set records c, keeping LastTransitionTime when the status is unchanged.
// It returns the updated list.
func (cs Conditions) Set(c Condition, now time.Time) Conditions {
	old := cs.Get(c.Type)
	if old == nil {
		c.LastTransitionTime = now
		return append(cs, c)
	}
	c.LastTransitionTime = old.LastTransitionTime
	if old.Status != c.Status {
		c.LastTransitionTime = now
	}
	*old = c
	return cs
}
