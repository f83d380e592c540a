package ticketing

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/cityhotline/hotline"
)

// OpenDataBackend is what the open-data service needs of a store; both
// stores implement it.
type OpenDataBackend interface {
	OpenDataStore
	FindTickets(ctx context.Context, f TicketFilter) ([]*Ticket, error)
	FindAnswers(ctx context.Context, ticket hotline.TicketID) ([]*CallbackRecord, error)
	FindUnits(ctx context.Context, f UnitFilter) ([]*Unit, error)
	FindCategories(ctx context.Context) ([]*Category, error)
}

// OpenData runs export requests, their approval and the downloads.
type OpenData struct {
	store    OpenDataBackend
	clock    hotline.Clock
	log      *slog.Logger
	pageSize int
}

// NewOpenData returns the service. clock and log may be nil.
func NewOpenData(st OpenDataBackend, clock hotline.Clock, log *slog.Logger) *OpenData {
	if clock == nil {
		clock = hotline.SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &OpenData{store: st, clock: clock, log: log, pageSize: 500}
}

func (o *OpenData) now() time.Time { return o.clock.Now().UTC().Truncate(time.Microsecond) }

// canRequest: who may ask for an export.
func canRequest(r hotline.Role) bool {
	return r == hotline.RoleAdmin || r == hotline.RoleSupervisor || r == hotline.RoleAnalyst
}

// canDecide: who may approve or reject one (never their own).
func canDecide(r hotline.Role) bool { return r == hotline.RoleAdmin || r == hotline.RoleSupervisor }

// RequestExport files an export request: analysts, supervisors and the
// admin. Every bad field is named (EINVALID).
func (o *OpenData) RequestExport(ctx context.Context, a hotline.Actor, in OpenDataInput) (*OpenDataRequest, error) {
	if !canRequest(a.Role) {
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "a %s may not request open-data exports", a.Role)
	}
	r, err := checkOpenDataInput(in)
	if err != nil {
		return nil, err
	}
	r.Requester, r.RequesterName, r.Created = a.UserID, a.Name, o.now()
	if err := o.store.CreateOpenDataRequest(ctx, r); err != nil {
		return nil, fmt.Errorf("create export request: %w", err)
	}
	o.log.Info("open-data export requested", "request", r.ID, "partner", r.Partner, "actor", a.UserID)
	return r, nil
}

// Requests lists export requests, newest first: supervisors and the admin
// see all, analysts their own. Limit is capped at MaxPage (default 50).
func (o *OpenData) Requests(ctx context.Context, a hotline.Actor, f OpenDataFilter) ([]*OpenDataRequest, error) {
	switch {
	case canDecide(a.Role):
	case a.Role == hotline.RoleAnalyst:
		f.Requester = a.UserID
	default:
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "a %s may not read open-data exports", a.Role)
	}
	if f.Limit <= 0 || f.Limit > MaxPage {
		f.Limit = min(max(f.Limit, 50), MaxPage)
	}
	list, err := o.store.FindOpenDataRequests(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("find export requests: %w", err)
	}
	if list == nil {
		list = []*OpenDataRequest{}
	}
	return list, nil
}

// Request returns one export request to whoever may list it; another
// analyst's is ENOTFOUND.
func (o *OpenData) Request(ctx context.Context, a hotline.Actor, id int64) (*OpenDataRequest, error) {
	if !canRequest(a.Role) {
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "a %s may not read open-data exports", a.Role)
	}
	r, err := o.store.FindOpenDataRequestByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !canDecide(a.Role) && r.Requester != a.UserID {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "export request %d not found", id)
	}
	return r, nil
}

// Decide approves or rejects a pending request: supervisors and the admin,
// never the requester (EFORBIDDEN). A rejection needs a note (EINVALID). A
// request already decided, or at another version than in.Version (when
// given), is ECONFLICT.
func (o *OpenData) Decide(ctx context.Context, a hotline.Actor, id int64, approve bool, in OpenDataDecision) (*OpenDataRequest, error) {
	if !canDecide(a.Role) {
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "a %s may not approve open-data exports; a supervisor or the admin does", a.Role)
	}
	r, err := o.store.FindOpenDataRequestByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if in.Version != 0 && in.Version != r.Version {
		e := hotline.Errorf(hotline.ECONFLICT, "export request %d is at version %d, not %d", id, r.Version, in.Version)
		e.Current = r
		return nil, e
	}
	version := r.Version
	if err := r.decide(a, approve, in.Note, o.now()); err != nil {
		return nil, err
	}
	if err := o.store.UpdateOpenDataRequest(ctx, r, version); err != nil {
		return nil, fmt.Errorf("decide export request %d: %w", id, err)
	}
	o.log.Info("open-data export decided", "request", id, "state", r.State, "actor", a.UserID)
	return r, nil
}

// Downloads lists downloads by time: supervisors and the admin all of
// them; analysts those of one of their own requests (f.Request required).
func (o *OpenData) Downloads(ctx context.Context, a hotline.Actor, f OpenDataDownloadFilter) ([]*OpenDataDownload, error) {
	if !canDecide(a.Role) {
		if f.Request == 0 {
			return nil, hotline.Errorf(hotline.EFORBIDDEN, "a %s sees the downloads of their own requests only: give request", a.Role)
		}
		if _, err := o.Request(ctx, a, f.Request); err != nil {
			return nil, err
		}
	}
	if f.Limit <= 0 || f.Limit > MaxPage {
		f.Limit = min(max(f.Limit, 50), MaxPage)
	}
	list, err := o.store.FindOpenDataDownloads(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("find export downloads: %w", err)
	}
	if list == nil {
		list = []*OpenDataDownload{}
	}
	return list, nil
}

// Export writes an approved request's CSV to w and records the download:
// the requester or the admin only (EFORBIDDEN otherwise, and while the
// request is pending or rejected). The record is stored before anything is
// written and completed afterwards with the rows, bytes and SHA-256 sent.
// Each export draws a fresh random key for the pseudonyms, so two exports
// cannot be joined.
func (o *OpenData) Export(ctx context.Context, a hotline.Actor, id int64, w io.Writer) (*OpenDataDownload, error) {
	r, err := o.Request(ctx, a, id)
	if err != nil {
		return nil, err
	}
	switch {
	case r.State != OpenDataApproved:
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "export request %d is %s, not approved", id, r.State)
	case a.UserID != r.Requester && a.Role != hotline.RoleAdmin:
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "only the requester downloads export request %d", id)
	}
	names, err := o.names(ctx)
	if err != nil {
		return nil, err
	}
	d := &OpenDataDownload{Request: id, By: a.UserID, ByName: a.Name, At: o.now()}
	if err := o.store.CreateOpenDataDownload(ctx, d); err != nil {
		return nil, fmt.Errorf("record download of export request %d: %w", id, err)
	}
	cw := &countingWriter{w: w, h: sha256.New()}
	rows, werr := o.write(ctx, r, names, cw)
	d.Rows, d.Bytes, d.SHA256, d.Complete = rows, cw.n, hex.EncodeToString(cw.h.Sum(nil)), werr == nil
	if err := o.store.UpdateOpenDataDownload(context.WithoutCancel(ctx), d); err != nil {
		return d, fmt.Errorf("complete download %d of export request %d: %w", d.ID, id, err)
	}
	o.log.Info("open-data export downloaded", "request", id, "download", d.ID, "rows", rows, "bytes", d.Bytes,
		"complete", d.Complete, "actor", a.UserID)
	if werr != nil {
		return d, fmt.Errorf("write export request %d: %w", id, werr)
	}
	return d, nil
}

// names loads the unit and category names.
func (o *OpenData) names(ctx context.Context) (openDataNames, error) {
	units, err := o.store.FindUnits(ctx, UnitFilter{})
	if err != nil {
		return openDataNames{}, fmt.Errorf("load units: %w", err)
	}
	cats, err := o.store.FindCategories(ctx)
	if err != nil {
		return openDataNames{}, fmt.Errorf("load categories: %w", err)
	}
	n := openDataNames{units: map[hotline.UnitID]string{}, categories: map[hotline.CategoryID]string{}}
	for _, u := range units {
		n.units[u.ID] = u.Name
	}
	for _, c := range cats {
		n.categories[c.ID] = c.Name
	}
	return n, nil
}

// write streams the CSV: a UTF-8 BOM (for spreadsheets), the header row,
// then one row per exportable ticket created in the period, newest first.
// The period's end is cut at the export's start so the pages cannot shift.
// Stores keep Created to the microsecond, which the keyset paging relies on.
func (o *OpenData) write(ctx context.Context, r *OpenDataRequest, names openDataNames, w io.Writer) (int, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return 0, fmt.Errorf("pseudonym key: %w", err)
	}
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return 0, err
	}
	out := csv.NewWriter(w)
	if err := out.Write(r.Fields); err != nil {
		return 0, err
	}
	callbacks := slices.ContainsFunc(r.Fields, func(f string) bool { return f == "contacted" || f == "resolved" || f == "satisfaction" })
	f := TicketFilter{From: r.From, To: r.To, Sort: SortCreatedDesc, Limit: o.pageSize}
	if now := o.now().Add(time.Microsecond); f.To.After(now) {
		f.To = now
	}
	rows := 0
	for {
		page, err := o.store.FindTickets(ctx, f)
		if err != nil {
			return rows, fmt.Errorf("find tickets: %w", err)
		}
		for _, t := range page {
			if !Exportable(t) {
				continue
			}
			row, err := o.row(ctx, t, names, key, callbacks)
			if err != nil {
				return rows, err
			}
			if err := out.Write(row.values(r.Fields)); err != nil {
				return rows, err
			}
			rows++
		}
		if len(page) < f.Limit {
			break
		}
		f.To, f.Offset = nextPage(page, f)
	}
	out.Flush()
	return rows, out.Error()
}

// nextPage moves the cursor past a full page, newest first: the next page
// ends at the page's last creation instant (inclusive) and skips the
// tickets of that instant already seen. Deep OFFSETs would make a large
// export quadratic.
func nextPage(page []*Ticket, f TicketFilter) (time.Time, int) {
	last := page[len(page)-1].Created
	seen := 0
	for _, t := range page {
		if t.Created.Equal(last) {
			seen++
		}
	}
	to := last.Add(time.Microsecond)
	if f.Offset > 0 && f.To.Equal(to) {
		seen += f.Offset // the previous page ended at the same instant
	}
	return to, seen
}

// row anonymises one ticket, reading its callback answers when asked for
// and when it can have any (it was dispatched to a unit).
func (o *OpenData) row(ctx context.Context, t *Ticket, names openDataNames, key []byte, callbacks bool) (OpenDataRow, error) {
	var answers []*CallbackRecord
	if callbacks && !t.DispatchedAt.IsZero() {
		var err error
		if answers, err = o.store.FindAnswers(ctx, t.ID); err != nil {
			return OpenDataRow{}, fmt.Errorf("callbacks of %s: %w", t.ID, err)
		}
	}
	return anonymise(t, answers, names, key), nil
}

// countingWriter counts and hashes what passes through it.
type countingWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}
