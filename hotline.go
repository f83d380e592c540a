// Package hotline holds the nouns that every part of the 12345 hotline shares:
// identifiers, the domain error, events and the clock. It imports only the
// standard library; behaviour lives in the domain packages.
package hotline

import "time"

// TicketID is a work order's human-readable number, e.g. 20261127000042.
// It is also the Open311 service_request_id.
type TicketID string

// UnitID names a handling unit (承办单位): a district, street/town,
// department or state-owned enterprise.
type UnitID string

// CategoryID names a node of the category taxonomy.
type CategoryID string

// UserID names an account.
type UserID string

// CallID names one telephone call.
type CallID string

// Role is what an account may do.
type Role string

// The roles of the operator contract.
const (
	RoleAdmin      Role = "admin"
	RoleAgent      Role = "agent"
	RoleDispatcher Role = "dispatcher"
	RoleSupervisor Role = "supervisor"
	RoleUnit       Role = "unit"    // a handling unit's staff, scoped to one unit
	RoleAnalyst    Role = "analyst" // aggregates only
)

var roles = []Role{RoleAdmin, RoleAgent, RoleDispatcher, RoleSupervisor, RoleUnit, RoleAnalyst}

func (r Role) String() string { return string(r) }

// ParseRole parses a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", Errorf(EINVALID, "unknown role %q", s).WithField("role", "must be one of admin, agent, dispatcher, supervisor, unit, analyst")
}

// Centre reports whether the role belongs to the hotline centre itself
// (as opposed to a handling unit or an analyst).
func (r Role) Centre() bool {
	switch r {
	case RoleAdmin, RoleAgent, RoleDispatcher, RoleSupervisor:
		return true
	}
	return false
}

// Actor is who performs an action: every domain call takes one, and every
// event records it.
type Actor struct {
	UserID UserID
	Name   string
	Role   Role
	Unit   UnitID // set for RoleUnit
}

// System is the actor of the server's own scheduled work.
var System = Actor{UserID: "system", Name: "system", Role: RoleAdmin}

// Clock tells the time; tests inject a fake one.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }
