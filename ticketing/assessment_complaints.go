package ticketing

import (
	"cmp"
	"slices"

	"github.com/cityhotline/hotline"
)

// CountComplaints counts, per street/town, the complaint tickets (投诉)
// received in the month (by Created, Beijing time): the input of the 治理类
// list. Tickets without a resolved street are not counted. Every received
// complaint counts, whatever became of it later (merged, not dispatched): the
// list measures where complaints concentrate, not how they were handled.
func CountComplaints(month Month, tickets []*Ticket) map[hotline.UnitID]int {
	counts := map[hotline.UnitID]int{}
	for _, t := range tickets {
		if t.Type == TypeComplaint && t.Street != "" && month.Contains(t.Created) {
			counts[t.Street]++
		}
	}
	return counts
}

// StreetComplaints is one entry of the 治理类 list.
type StreetComplaints struct {
	Unit       hotline.UnitID
	Complaints int
	Rank       int // 1 = most complaints; ties share a rank
}

// GovernanceList returns the 治理类 list: the size streets/towns with the
// most complaints, most first (ties by unit id). Streets tied with the last
// place are all listed, so the list can be longer than size; streets with no
// complaint never are.
func GovernanceList(complaints map[hotline.UnitID]int, size int) []StreetComplaints {
	all := make([]StreetComplaints, 0, len(complaints))
	for id, n := range complaints {
		if n > 0 {
			all = append(all, StreetComplaints{Unit: id, Complaints: n})
		}
	}
	slices.SortFunc(all, func(a, b StreetComplaints) int {
		if c := cmp.Compare(b.Complaints, a.Complaints); c != 0 {
			return c
		}
		return cmp.Compare(a.Unit, b.Unit)
	})
	for i := range all {
		all[i].Rank = i + 1
		if i > 0 && all[i].Complaints == all[i-1].Complaints {
			all[i].Rank = all[i-1].Rank
		}
		if all[i].Rank > size {
			return all[:i]
		}
	}
	return all
}
