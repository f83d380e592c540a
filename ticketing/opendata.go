package ticketing

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cityhotline/hotline"
)

// Open data (issue 7): anonymised exports of tickets for partner
// organisations — universities, statistics offices, the press — under
// governance. An analyst, supervisor or the admin asks for an export
// (partner, purpose, period, fields); another supervisor or the admin
// approves or rejects it; once approved the requester (or the admin)
// downloads it as CSV, and every download is recorded with who, when, how
// many rows and bytes, and the file's SHA-256. The rows carry no personal
// data: see OpenDataRow and MaskText.

// OpenDataState is where an export request stands.
type OpenDataState string

// Export request states.
const (
	OpenDataPending  OpenDataState = "pending"
	OpenDataApproved OpenDataState = "approved"
	OpenDataRejected OpenDataState = "rejected"
)

// OpenDataStates lists every state.
var OpenDataStates = []OpenDataState{OpenDataPending, OpenDataApproved, OpenDataRejected}

func (s OpenDataState) String() string { return string(s) }

// ParseOpenDataState parses an export request state.
func ParseOpenDataState(s string) (OpenDataState, error) {
	return parseEnum("state", s, OpenDataStates)
}

// OpenDataFields are the columns an export may carry, in file order. The
// pseudonym is always first; the others are chosen per request.
var OpenDataFields = []string{
	"pseudonym", "created_hour", "channel", "type", "category", "district", "street",
	"title", "content", "outcome", "reply", "replied_in_hours", "contacted", "resolved", "satisfaction",
}

// OpenDataRequest is one export request.
type OpenDataRequest struct {
	ID            int64 // assigned by the store
	Requester     hotline.UserID
	RequesterName string
	Partner       string    // the organisation the data goes to
	Purpose       string    // what it is for
	From, To      time.Time // tickets created in [From, To)
	Fields        []string  // in OpenDataFields order, pseudonym first
	State         OpenDataState
	Created       time.Time

	DecidedBy     hotline.UserID // zero while pending
	DecidedByName string
	Decided       time.Time
	Note          string // the approver's note; required to reject

	Version int // optimistic concurrency, bumped by the store
}

// OpenDataDownload records one download of an approved export. It is
// stored before the first byte is sent and completed afterwards, so a
// download that breaks off is still on the record (Complete false).
type OpenDataDownload struct {
	ID       int64 // assigned by the store
	Request  int64
	By       hotline.UserID
	ByName   string
	At       time.Time
	Rows     int
	Bytes    int64
	SHA256   string // hex, of the whole file as sent
	Complete bool
}

// OpenDataFilter selects export requests. Zero fields select all.
type OpenDataFilter struct {
	Requester hotline.UserID
	State     OpenDataState
	Limit     int // 0: no limit
	Offset    int
}

// OpenDataDownloadFilter selects downloads. Zero fields select all.
type OpenDataDownloadFilter struct {
	Request int64
	Limit   int // 0: no limit
	Offset  int
}

// OpenDataStore keeps export requests and their downloads. Both stores
// implement it (store/storetest pins the semantics down):
//
//   - CreateOpenDataRequest assigns r.ID and sets r.Version to 1.
//   - UpdateOpenDataRequest stores every field of r when the stored Version
//     equals version and bumps r.Version; otherwise ECONFLICT with Current
//     holding the stored *OpenDataRequest, or ENOTFOUND.
//   - FindOpenDataRequests orders newest first (Created, then ID, both
//     descending).
//   - CreateOpenDataDownload assigns d.ID; a missing request is ENOTFOUND.
//     UpdateOpenDataDownload replaces Rows, Bytes, SHA256 and Complete
//     (ENOTFOUND if missing).
//   - FindOpenDataDownloads orders by At, then ID.
type OpenDataStore interface {
	CreateOpenDataRequest(ctx context.Context, r *OpenDataRequest) error
	UpdateOpenDataRequest(ctx context.Context, r *OpenDataRequest, version int) error
	FindOpenDataRequestByID(ctx context.Context, id int64) (*OpenDataRequest, error)
	FindOpenDataRequests(ctx context.Context, f OpenDataFilter) ([]*OpenDataRequest, error)
	CreateOpenDataDownload(ctx context.Context, d *OpenDataDownload) error
	UpdateOpenDataDownload(ctx context.Context, d *OpenDataDownload) error
	FindOpenDataDownloads(ctx context.Context, f OpenDataDownloadFilter) ([]*OpenDataDownload, error)
}

// OpenDataInput is an export request as the API receives it.
type OpenDataInput struct {
	Partner string   `json:"partner"` // required
	Purpose string   `json:"purpose"` // required
	From    string   `json:"from"`    // YYYY-MM-DD, Beijing time, required
	To      string   `json:"to"`      // YYYY-MM-DD inclusive, required
	Fields  []string `json:"fields"`  // empty: every field
}

// OpenDataDecision is an approver's ruling on a request.
type OpenDataDecision struct {
	Note    string `json:"note"`    // required to reject
	Version int    `json:"version"` // optional expected version (0: don't check)
}

// Limits on requests.
const (
	maxOpenDataText = 500 // characters of partner, purpose and note
	maxOpenDataDays = 366 // days one request may span
)

// checkOpenDataInput validates a request, naming every bad field, and
// returns it as a pending request (without requester and times).
func checkOpenDataInput(in OpenDataInput) (*OpenDataRequest, error) {
	var v hotline.Invalid
	r := &OpenDataRequest{State: OpenDataPending}
	r.Partner = checkText(&v, "partner", in.Partner, maxOpenDataText, true)
	r.Purpose = checkText(&v, "purpose", in.Purpose, maxOpenDataText, true)
	r.From = openDataDate(&v, "from", in.From)
	r.To = openDataDate(&v, "to", in.To)
	if !r.To.IsZero() {
		r.To = r.To.AddDate(0, 0, 1)
	}
	if !r.From.IsZero() && !r.To.IsZero() {
		switch {
		case !r.From.Before(r.To):
			v.Add("to", "must not be before from")
		case r.To.Sub(r.From) > maxOpenDataDays*24*time.Hour:
			v.Add("to", fmt.Sprintf("the period may span at most %d days", maxOpenDataDays))
		}
	}
	fields, err := openDataFields(in.Fields)
	if err != nil {
		v.Add("fields", err.Error())
	}
	r.Fields = fields
	return r, v.Err("invalid export request")
}

// openDataDate parses a required YYYY-MM-DD date at Beijing midnight.
func openDataDate(v *hotline.Invalid, field, s string) time.Time {
	if strings.TrimSpace(s) == "" {
		v.Add(field, "required: YYYY-MM-DD")
		return time.Time{}
	}
	d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), Beijing)
	if err != nil {
		v.Add(field, "must be a YYYY-MM-DD date")
		return time.Time{}
	}
	return d.UTC()
}

// openDataFields returns the chosen fields in file order with the
// pseudonym first; none chosen means all.
func openDataFields(in []string) ([]string, error) {
	if len(in) == 0 {
		return slices.Clone(OpenDataFields), nil
	}
	for _, f := range in {
		if !slices.Contains(OpenDataFields, f) {
			return nil, fmt.Errorf("unknown field %q; fields are %s", f, strings.Join(OpenDataFields, ", "))
		}
	}
	out := []string{"pseudonym"}
	for _, f := range OpenDataFields[1:] {
		if slices.Contains(in, f) {
			out = append(out, f)
		}
	}
	return out, nil
}

// decide approves or rejects a pending request on behalf of a.
func (r *OpenDataRequest) decide(a hotline.Actor, approve bool, note string, now time.Time) error {
	if r.State != OpenDataPending {
		return hotline.Errorf(hotline.ECONFLICT, "export request %d is already %s", r.ID, r.State)
	}
	if a.UserID == r.Requester {
		return hotline.Errorf(hotline.EFORBIDDEN, "an export request is approved or rejected by someone other than its requester")
	}
	var v hotline.Invalid
	note = checkText(&v, "note", note, maxOpenDataText, !approve)
	if err := v.Err("invalid decision"); err != nil {
		return err
	}
	r.State = OpenDataRejected
	if approve {
		r.State = OpenDataApproved
	}
	r.DecidedBy, r.DecidedByName, r.Decided, r.Note = a.UserID, a.Name, now, note
	return nil
}
