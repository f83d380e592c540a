package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// openDataBackend is what the open-data cases need of a store.
type openDataBackend interface {
	Store
	ticketing.OpenDataStore
}

// runOpenData checks ticketing.OpenDataStore: requests round-trip with
// versions and filters, downloads are recorded, completed and listed.
func runOpenData(t *testing.T, open func(t *testing.T) Store) {
	openData := func(t *testing.T) openDataBackend {
		s, ok := open(t).(openDataBackend)
		if !ok {
			t.Fatal("the store does not implement ticketing.OpenDataStore")
		}
		return s
	}
	t.Run("RoundTrip", func(t *testing.T) { testOpenDataRoundTrip(t, openData(t)) })
	t.Run("Versions", func(t *testing.T) { testOpenDataVersions(t, openData(t)) })
	t.Run("Find", func(t *testing.T) { testOpenDataFind(t, openData(t)) })
	t.Run("Downloads", func(t *testing.T) { testOpenDataDownloads(t, openData(t)) })
}

// fullOpenData is a pending request with every filing field set.
func fullOpenData(requester hotline.UserID, created time.Time) *ticketing.OpenDataRequest {
	return &ticketing.OpenDataRequest{
		Requester: requester, RequesterName: "数据分析员", Partner: "北京大学城市治理研究院", Purpose: "接诉即办热点研究",
		From: time.Date(2026, 10, 1, 0, 0, 0, 0, beijing), To: time.Date(2026, 11, 1, 0, 0, 0, 0, beijing),
		Fields: []string{"pseudonym", "created_hour", "category", "content"}, State: ticketing.OpenDataPending, Created: created,
	}
}

func testOpenDataRoundTrip(t *testing.T, s openDataBackend) {
	r := fullOpenData("an1", t0)
	must(t, s.CreateOpenDataRequest(ctx(t), r), "create request")
	if r.ID == 0 || r.Version != 1 {
		t.Fatalf("created request id %d version %d", r.ID, r.Version)
	}
	got, err := s.FindOpenDataRequestByID(ctx(t), r.ID)
	must(t, err, "find request")
	same(t, r, got, "stored request")

	r.State, r.DecidedBy, r.DecidedByName, r.Decided, r.Note = ticketing.OpenDataApproved, "sup1", "督办 刘", t0.Add(time.Hour), "同意，限研究用途"
	must(t, s.UpdateOpenDataRequest(ctx(t), r, 1), "approve request")
	if r.Version != 2 {
		t.Fatalf("version after update %d, want 2", r.Version)
	}
	got, err = s.FindOpenDataRequestByID(ctx(t), r.ID)
	must(t, err, "find approved request")
	same(t, r, got, "approved request")

	_, err = s.FindOpenDataRequestByID(ctx(t), r.ID+100)
	wantCode(t, err, hotline.ENOTFOUND, "find a missing request")
}

func testOpenDataVersions(t *testing.T, s openDataBackend) {
	r := fullOpenData("an1", t0)
	must(t, s.CreateOpenDataRequest(ctx(t), r), "create request")
	stale := *r
	r.State, r.Note = ticketing.OpenDataRejected, "用途不明"
	must(t, s.UpdateOpenDataRequest(ctx(t), r, 1), "reject request")

	stale.State = ticketing.OpenDataApproved
	err := s.UpdateOpenDataRequest(ctx(t), &stale, 1)
	wantCode(t, err, hotline.ECONFLICT, "update at a stale version")
	var he *hotline.Error
	if !errors.As(err, &he) {
		t.Fatalf("not a hotline error: %v", err)
	}
	if cur, ok := he.Current.(*ticketing.OpenDataRequest); !ok || cur.State != ticketing.OpenDataRejected || cur.Version != 2 {
		t.Fatalf("conflict current %#v, want the rejected request at version 2", he.Current)
	}
	missing := fullOpenData("an1", t0)
	missing.ID = r.ID + 100
	wantCode(t, s.UpdateOpenDataRequest(ctx(t), missing, 1), hotline.ENOTFOUND, "update a missing request")
}

func testOpenDataFind(t *testing.T, s openDataBackend) {
	a := fullOpenData("an1", t0)
	b := fullOpenData("an2", t0.Add(time.Minute))
	c := fullOpenData("an1", t0.Add(2*time.Minute))
	for _, r := range []*ticketing.OpenDataRequest{a, b, c} {
		must(t, s.CreateOpenDataRequest(ctx(t), r), "create request")
	}
	c.State = ticketing.OpenDataApproved
	must(t, s.UpdateOpenDataRequest(ctx(t), c, 1), "approve c")

	for _, tc := range []struct {
		name string
		f    ticketing.OpenDataFilter
		want []int64
	}{
		{"all, newest first", ticketing.OpenDataFilter{}, []int64{c.ID, b.ID, a.ID}},
		{"one requester", ticketing.OpenDataFilter{Requester: "an1"}, []int64{c.ID, a.ID}},
		{"pending", ticketing.OpenDataFilter{State: ticketing.OpenDataPending}, []int64{b.ID, a.ID}},
		{"page", ticketing.OpenDataFilter{Limit: 1, Offset: 1}, []int64{b.ID}},
	} {
		got, err := s.FindOpenDataRequests(ctx(t), tc.f)
		must(t, err, tc.name)
		var ids []int64
		for _, r := range got {
			ids = append(ids, r.ID)
		}
		if !slices.Equal(ids, tc.want) {
			t.Errorf("%s: ids %v, want %v", tc.name, ids, tc.want)
		}
	}
}

func testOpenDataDownloads(t *testing.T, s openDataBackend) {
	a, b := fullOpenData("an1", t0), fullOpenData("an2", t0)
	must(t, s.CreateOpenDataRequest(ctx(t), a), "create a")
	must(t, s.CreateOpenDataRequest(ctx(t), b), "create b")
	d1 := &ticketing.OpenDataDownload{Request: a.ID, By: "an1", ByName: "数据分析员", At: t0.Add(2 * time.Hour)}
	d2 := &ticketing.OpenDataDownload{Request: b.ID, By: "an2", ByName: "另一位", At: t0.Add(time.Hour)}
	d3 := &ticketing.OpenDataDownload{Request: a.ID, By: "admin", ByName: "管理员", At: t0.Add(3 * time.Hour)}
	for _, d := range []*ticketing.OpenDataDownload{d1, d2, d3} {
		must(t, s.CreateOpenDataDownload(ctx(t), d), "create download")
		if d.ID == 0 {
			t.Fatal("download without an id")
		}
	}
	d1.Rows, d1.Bytes, d1.SHA256, d1.Complete = 1234, 5_678_901_234, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", true
	must(t, s.UpdateOpenDataDownload(ctx(t), d1), "complete download")
	wantCode(t, s.CreateOpenDataDownload(ctx(t), &ticketing.OpenDataDownload{Request: b.ID + 100, By: "x", At: t0}),
		hotline.ENOTFOUND, "download of a missing request")
	wantCode(t, s.UpdateOpenDataDownload(ctx(t), &ticketing.OpenDataDownload{ID: d3.ID + 100}), hotline.ENOTFOUND, "complete a missing download")

	got, err := s.FindOpenDataDownloads(ctx(t), ticketing.OpenDataDownloadFilter{Request: a.ID})
	must(t, err, "downloads of a")
	if len(got) != 2 {
		t.Fatalf("downloads of a: %d, want 2", len(got))
	}
	same(t, d1, got[0], "completed download")
	same(t, d3, got[1], "open download")
	all, err := s.FindOpenDataDownloads(ctx(t), ticketing.OpenDataDownloadFilter{})
	must(t, err, "all downloads")
	var ids []int64
	for _, d := range all {
		ids = append(ids, d.ID)
	}
	if !slices.Equal(ids, []int64{d2.ID, d1.ID, d3.ID}) {
		t.Errorf("all downloads by time: %v, want %v", ids, []int64{d2.ID, d1.ID, d3.ID})
	}
	page, err := s.FindOpenDataDownloads(ctx(t), ticketing.OpenDataDownloadFilter{Limit: 1, Offset: 2})
	must(t, err, "page of downloads")
	if len(page) != 1 || page[0].ID != d3.ID {
		t.Errorf("page: %+v, want download %d", page, d3.ID)
	}
}
