package ticketing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/cityhotline/hotline"
)

// OpenDataRow is one ticket as an export shows it: no citizen name, no
// number, no address beyond the district and street/town units the ticket
// resolved to, the id replaced by a keyed pseudonym, times to the hour,
// and the texts masked by MaskText.
type OpenDataRow struct {
	Pseudonym      string // HMAC-SHA256 of the ticket id under the export's key, 16 hex digits
	CreatedHour    string // YYYY-MM-DD HH:00, Beijing time
	Channel        string
	Type           string
	Category       string // the category's name
	District       string // the district unit's name
	Street         string // the street/town unit's name
	Title          string
	Content        string
	Outcome        string // resolved, explained, unresolved; or answered, emergency, no_dispatch
	Reply          string
	RepliedInHours string // whole hours from intake to the unit's reply; empty when not replied
	Contacted      string // the latest valid callback's answers: yes, no
	Resolved       string
	Satisfaction   string // satisfied, basically, dissatisfied
}

// openDataNames resolves unit and category ids to names.
type openDataNames struct {
	units      map[hotline.UnitID]string
	categories map[hotline.CategoryID]string
}

// Exportable reports whether a ticket may appear in an open-data export at
// all: confidential (保密) tickets, tickets not dispatched for secrecy or
// privacy, and duplicates merged into another ticket never do.
func Exportable(t *Ticket) bool {
	switch {
	case t.Confidential, t.MergedInto != "":
		return false
	case t.Triage == TriageNoDispatch && t.TriageReason == string(NoDispatchSecret):
		return false
	}
	return true
}

// Pseudonym returns the keyed pseudonym of a ticket id: without the key it
// cannot be linked back to the id, and two exports (two keys) cannot be
// joined on it.
func Pseudonym(key []byte, id hotline.TicketID) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id))
	return hex.EncodeToString(mac.Sum(nil))[:16]
}

// anonymise builds the export row of an exportable ticket. answers are its
// callback records (may be nil).
func anonymise(t *Ticket, answers []*CallbackRecord, names openDataNames, key []byte) OpenDataRow {
	// The ticket's own address and citizen go first, whole, wherever they
	// occur; then the patterns.
	mask := func(text string) string { return MaskText(maskKnown(text, maskAddress, t.Address), t.CitizenName) }
	row := OpenDataRow{
		Pseudonym:   Pseudonym(key, t.ID),
		CreatedHour: t.Created.In(Beijing).Format("2006-01-02 15:00"),
		Channel:     string(t.Channel),
		Type:        string(t.Type),
		Category:    names.categories[t.Category],
		District:    names.units[t.District],
		Street:      names.units[t.Street],
		Title:       mask(t.Title),
		Content:     mask(t.Content),
		Outcome:     string(t.Outcome),
		Reply:       mask(t.ReplyContent),
	}
	if row.Outcome == "" && t.Triage != TriageDispatch {
		row.Outcome = string(t.Triage)
	}
	if !t.RepliedAt.IsZero() && !t.RepliedAt.Before(t.Created) {
		row.RepliedInHours = strconv.Itoa(int(t.RepliedAt.Sub(t.Created).Hours()))
	}
	if r := latestValid(answers); r != nil {
		row.Contacted, row.Resolved, row.Satisfaction = string(r.Contacted), string(r.Resolved), string(r.Satisfaction)
	}
	return row
}

// latestValid returns the last valid callback record, or nil.
func latestValid(records []*CallbackRecord) *CallbackRecord {
	for i := len(records) - 1; i >= 0; i-- {
		if a := records[i].Answers(); a.Valid() {
			return records[i]
		}
	}
	return nil
}

// values returns the row's cells for fields, guarded against spreadsheet
// formula injection.
func (r *OpenDataRow) values(fields []string) []string {
	all := map[string]string{
		"pseudonym": r.Pseudonym, "created_hour": r.CreatedHour, "channel": r.Channel, "type": r.Type,
		"category": r.Category, "district": r.District, "street": r.Street, "title": r.Title,
		"content": r.Content, "outcome": r.Outcome, "reply": r.Reply, "replied_in_hours": r.RepliedInHours,
		"contacted": r.Contacted, "resolved": r.Resolved, "satisfaction": r.Satisfaction,
	}
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = cellSafe(all[f])
	}
	return out
}

// cellSafe prefixes a cell that a spreadsheet would read as a formula.
func cellSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
