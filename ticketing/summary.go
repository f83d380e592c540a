package ticketing

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/cityhotline/hotline"
)

// SummaryGroup is what the open orders are counted by.
type SummaryGroup string

// Summary groups.
const (
	GroupUnit     SummaryGroup = "unit"     // the unit that holds the order
	GroupDistrict SummaryGroup = "district" // the district the address resolved to
	GroupStreet   SummaryGroup = "street"   // the street/town the address resolved to
	GroupCategory SummaryGroup = "category" // the (leaf) category
)

// SummaryGroups lists every group.
var SummaryGroups = []SummaryGroup{GroupUnit, GroupDistrict, GroupStreet, GroupCategory}

func (g SummaryGroup) String() string { return string(g) }

// ParseSummaryGroup parses a summary group.
func ParseSummaryGroup(s string) (SummaryGroup, error) { return parseEnum("group", s, SummaryGroups) }

// TicketCount is one row of a summary: the tickets of one group key and
// how many of them are late or close to it. Key is "" for the tickets that
// have no value in the grouped column (an address that did not resolve).
type TicketCount struct {
	Key        string
	Total      int
	Yellow     int // reply light yellow: most of the reply clock used
	Red        int // reply light red
	Overdue    int // held by a unit and the reply deadline before OverdueAt
	Supervised int
}

// Summary counts the tickets that f selects by group: for the supervision
// console, how many orders each unit, district, street or category holds
// and how many of them are overdue or about to be. Without States it
// counts the orders a unit holds (dispatched, in progress). Rows come
// most overdue first, then most red, most yellow, most orders, then by key.
//
// The centre and analysts (an aggregate names no citizen) see every
// ticket; a unit sees counts over the tickets it holds or is copied on.
func (s *Service) Summary(ctx context.Context, a hotline.Actor, f TicketFilter, by SummaryGroup) ([]TicketCount, error) {
	switch {
	case a.Role == hotline.RoleUnit:
		if a.Unit == "" {
			return nil, hotline.Errorf(hotline.EFORBIDDEN, "this account is not attached to a unit")
		}
		f.Visible = a.Unit
	case !a.Role.Centre() && a.Role != hotline.RoleAnalyst:
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "not allowed")
	}
	if _, err := ParseSummaryGroup(string(by)); err != nil {
		return nil, err
	}
	if len(f.States) == 0 {
		f.States = []State{StateDispatched, StateInProgress}
	}
	f.OverdueAt = s.now()
	f.Sort, f.Limit, f.Offset, f.Query = "", 0, 0, ""
	rows, err := s.store.SummarizeTickets(ctx, f, by)
	if err != nil {
		return nil, fmt.Errorf("summarize tickets by %s: %w", by, err)
	}
	slices.SortFunc(rows, func(x, y TicketCount) int {
		return cmp.Or(y.Overdue-x.Overdue, y.Red-x.Red, y.Yellow-x.Yellow, y.Total-x.Total, cmp.Compare(x.Key, y.Key))
	})
	return rows, nil
}
