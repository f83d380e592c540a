// Package ticketno numbers work orders the same way in every store: the
// Beijing calendar day of the ticket's creation, YYYYMMDD, followed by a
// six-digit sequence that restarts each day (20261127000001).
package ticketno

import (
	"fmt"
	"time"

	"github.com/cityhotline/hotline"
)

// Beijing is China Standard Time. China has kept UTC+8 without daylight
// saving since 1991, so a fixed zone is exact and needs no tzdata.
var Beijing = time.FixedZone("CST", 8*60*60)

// Day returns the Beijing calendar day of t as YYYYMMDD: the key of the
// daily sequence.
func Day(t time.Time) string {
	return t.In(Beijing).Format("20060102")
}

// ID formats the n-th ticket of day. Past 999999 tickets in a day the
// sequence simply grows a digit; ids stay unique.
func ID(day string, n int64) hotline.TicketID {
	return hotline.TicketID(fmt.Sprintf("%s%06d", day, n))
}
