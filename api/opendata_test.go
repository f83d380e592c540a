package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/ticketing"
)

// memOpenData is an in-memory ticketing.OpenDataBackend: the real
// open-data service runs over it, so these tests see real exports.
type memOpenData struct {
	mu        sync.Mutex
	tickets   []*ticketing.Ticket
	answers   map[hotline.TicketID][]*ticketing.CallbackRecord
	requests  []*ticketing.OpenDataRequest
	downloads []*ticketing.OpenDataDownload
}

var _ ticketing.OpenDataBackend = (*memOpenData)(nil)

func (m *memOpenData) CreateOpenDataRequest(_ context.Context, r *ticketing.OpenDataRequest) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r.ID, r.Version = int64(len(m.requests)+1), 1
	c := *r
	m.requests = append(m.requests, &c)
	return nil
}

func (m *memOpenData) UpdateOpenDataRequest(_ context.Context, r *ticketing.OpenDataRequest, version int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r.ID < 1 || int(r.ID) > len(m.requests) {
		return hotline.Errorf(hotline.ENOTFOUND, "export request %d not found", r.ID)
	}
	if m.requests[r.ID-1].Version != version {
		return hotline.Errorf(hotline.ECONFLICT, "stale")
	}
	r.Version = version + 1
	c := *r
	m.requests[r.ID-1] = &c
	return nil
}

func (m *memOpenData) FindOpenDataRequestByID(_ context.Context, id int64) (*ticketing.OpenDataRequest, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if id < 1 || int(id) > len(m.requests) {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "export request %d not found", id)
	}
	c := *m.requests[id-1]
	return &c, nil
}

func (m *memOpenData) FindOpenDataRequests(_ context.Context, f ticketing.OpenDataFilter) ([]*ticketing.OpenDataRequest, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*ticketing.OpenDataRequest
	for i := len(m.requests) - 1; i >= 0; i-- {
		r := m.requests[i]
		if (f.Requester == "" || r.Requester == f.Requester) && (f.State == "" || r.State == f.State) {
			c := *r
			out = append(out, &c)
		}
	}
	return out, nil
}

func (m *memOpenData) CreateOpenDataDownload(_ context.Context, d *ticketing.OpenDataDownload) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	d.ID = int64(len(m.downloads) + 1)
	c := *d
	m.downloads = append(m.downloads, &c)
	return nil
}

func (m *memOpenData) UpdateOpenDataDownload(_ context.Context, d *ticketing.OpenDataDownload) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := *d
	m.downloads[d.ID-1] = &c
	return nil
}

func (m *memOpenData) FindOpenDataDownloads(_ context.Context, f ticketing.OpenDataDownloadFilter) ([]*ticketing.OpenDataDownload, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*ticketing.OpenDataDownload
	for _, d := range m.downloads {
		if f.Request == 0 || d.Request == f.Request {
			c := *d
			out = append(out, &c)
		}
	}
	return out, nil
}

// FindTickets pages the tickets created in [From, To), newest first.
func (m *memOpenData) FindTickets(_ context.Context, f ticketing.TicketFilter) ([]*ticketing.Ticket, error) {
	var sel []*ticketing.Ticket
	for _, t := range m.tickets {
		if !t.Created.Before(f.From) && t.Created.Before(f.To) {
			sel = append(sel, t)
		}
	}
	slices.SortFunc(sel, func(a, b *ticketing.Ticket) int { return b.Created.Compare(a.Created) })
	sel = sel[min(f.Offset, len(sel)):]
	return sel[:min(f.Limit, len(sel))], nil
}

func (m *memOpenData) FindAnswers(_ context.Context, id hotline.TicketID) ([]*ticketing.CallbackRecord, error) {
	return m.answers[id], nil
}

func (m *memOpenData) FindUnits(context.Context, ticketing.UnitFilter) ([]*ticketing.Unit, error) {
	return []*ticketing.Unit{{ID: "110105", Name: "朝阳区"}, {ID: "110105-002", Name: "望京街道"},
		{ID: "110108", Name: "海淀区"}, {ID: "110108-002", Name: "中关村街道"}}, nil
}

func (m *memOpenData) FindCategories(context.Context) ([]*ticketing.Category, error) {
	return []*ticketing.Category{{ID: "city.streetlight", Name: "路灯"}, {ID: "water.leak", Name: "漏水"}}, nil
}

// citizens are the fixture's citizens: none of these names may reach an export.
var citizens = []string{"赵敏", "钱多多", "孙悦", "李建国", "欧阳娜娜", "周芷若"}

// thirdParties are other people the fixture's texts name (a property
// manager, the unit's handler): no export may name them either.
var thirdParties = []string{"张建华", "王丽"}

// openDataFixture holds tickets full of personal data, one confidential.
func openDataFixture() *memOpenData {
	at := func(day, hour, min int) time.Time { return time.Date(2026, 11, day, hour, min, 7, 0, time.UTC) }
	tk := func(n int, name, phone, title, content, address, reply string, created time.Time) *ticketing.Ticket {
		return &ticketing.Ticket{ID: hotline.TicketID(fmt.Sprintf("202611%02d%06d", created.Day(), n)), Channel: ticketing.ChannelPhone,
			CallerNumber: phone, ContactNumber: phone, CitizenName: name, Type: ticketing.TypeComplaint, Category: "city.streetlight",
			Title: title, Content: content, Address: address, District: "110105", Street: "110105-002",
			Triage: ticketing.TriageDispatch, Outcome: ticketing.OutcomeResolved, ReplyContent: reply,
			Created: created, DispatchedAt: created, RepliedAt: created.Add(5 * time.Hour)}
	}
	m := &memOpenData{answers: map[hotline.TicketID][]*ticketing.CallbackRecord{}}
	m.tickets = []*ticketing.Ticket{
		tk(1, "赵敏", "13800138000", "赵敏反映路灯不亮", "我叫赵敏，住望京西园三区3号楼2单元501室，电话13800138000，备用010-64701234",
			"朝阳区望京西园三区3号楼2单元501室", "已联系赵女士，13800138000已回访，承办人：王丽", at(3, 1, 15)),
		tk(2, "钱多多", "+86 139 0013 9000", "钱多多：楼道灯坏了", "钱多多说：12号院5栋1门302楼道灯坏了，身份证110105198801010021，车牌京A·12345，物业经理张建华说不归他管",
			"朝阳区望京花园12号院5栋1门302", "钱先生您好，已修复", at(4, 9, 30)),
		tk(3, "李建国", "4008108888", "路灯", "姓名：李建国，邮箱 lijianguo@example.com，微信号 ljg_1988，卡号6222 0202 0000 1234 567",
			"海淀区中关村大街27号", "李大爷反映的问题已处理", at(5, 23, 59)),
		tk(4, "欧阳娜娜", "13700137000", "欧阳女士投诉", "我姓欧阳，门牌号：45，手机１３７００１３７０００，老家电话0755-83451234",
			"朝阳区望京街道45号", "欧阳女士的诉求已办结，工单20261106000004已关", at(6, 12, 0)),
		tk(5, "周芷若", "13600136000", "夜间噪音", "周女士反映对面楼1-2-301装修噪音，联系人周芷若",
			"朝阳区望京某小区", "已联系周芷若本人", at(7, 2, 0)),
	}
	secret := tk(6, "孙悦", "13500135000", "保密件：孙悦举报", "举报人孙悦，电话13500135000", "朝阳区望京", "", at(8, 8, 0))
	secret.Confidential = true
	m.tickets = append(m.tickets, secret)
	m.answers[m.tickets[0].ID] = []*ticketing.CallbackRecord{{Reached: true, Contacted: ticketing.AnswerYes,
		Resolved: ticketing.AnswerYes, Satisfaction: ticketing.Satisfied}}
	return m
}

// roleAccounts authenticates one token per role.
type roleAccounts struct{ *fakeAccounts }

var openDataUsers = map[string]*account.User{
	"analyst":  {ID: "ana1", Username: "ana1", Name: "分析员", Role: hotline.RoleAnalyst},
	"analyst2": {ID: "ana2", Username: "ana2", Name: "分析员二", Role: hotline.RoleAnalyst},
	"sup":      {ID: "sup1", Username: "sup1", Name: "督办", Role: hotline.RoleSupervisor},
	"admin":    {ID: "admin", Username: "admin", Name: "管理员", Role: hotline.RoleAdmin},
	"agent":    {ID: "agent1", Username: "agent1", Name: "话务员", Role: hotline.RoleAgent},
}

func (roleAccounts) Authenticate(_ context.Context, token string) (*account.User, error) {
	if u, ok := openDataUsers[token]; ok {
		return u, nil
	}
	return nil, hotline.Errorf(hotline.EUNAUTH, "invalid or expired token")
}

type openDataEnv struct {
	t   *testing.T
	srv *server
	mem *memOpenData
}

func newOpenDataEnv(t *testing.T) *openDataEnv {
	mem := openDataFixture()
	clock := hotline.ClockFunc(func() time.Time { return time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC) })
	cfg := Config{MaxBodyBytes: 4096, Clock: clock, Location: time.UTC, OpenData: ticketing.NewOpenData(mem, clock, nil)}
	srv := newServer(cfg, &fakeTickets{}, roleAccounts{&fakeAccounts{}}, slog.New(slog.DiscardHandler))
	return &openDataEnv{t: t, srv: srv, mem: mem}
}

func (e *openDataEnv) do(token, method, path, body string) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	e.srv.mux.ServeHTTP(w, req)
	return w
}

const novemberExport = `{"partner":"北京大学","purpose":"接诉即办热点研究","from":"2026-11-01","to":"2026-11-30"}`

// approved files the November export as the analyst and has the
// supervisor approve it, returning its id.
func (e *openDataEnv) approved() int64 {
	e.t.Helper()
	var req openDataJSON
	decodeBody(e.t, e.do("analyst", "POST", "/api/v1/opendata/requests", novemberExport), http.StatusCreated, &req)
	decodeBody(e.t, e.do("sup", "POST", fmt.Sprintf("/api/v1/opendata/requests/%d/approve", req.ID), `{"note":"同意"}`), http.StatusOK, &req)
	if req.State != "approved" || req.DecidedBy != "sup1" {
		e.t.Fatalf("approved request %+v", req)
	}
	return req.ID
}

func TestOpenDataNotEnabled(t *testing.T) {
	e := newEnv(t)
	if err := apiError(t, e.request("GET", "/api/v1/opendata/requests", ""), http.StatusNotFound); err.Code != hotline.ENOTFOUND {
		t.Errorf("error %+v", err)
	}
}

func TestOpenDataRequestAndDecide(t *testing.T) {
	e := newOpenDataEnv(t)
	bad := apiError(t, e.do("analyst", "POST", "/api/v1/opendata/requests", `{"partner":"","from":"2026-13-01","to":"2026-11-30","fields":["citizen_name"]}`), http.StatusBadRequest)
	for _, f := range []string{"partner", "purpose", "from", "fields"} {
		if bad.Fields[f] == "" {
			t.Errorf("400 does not name %s: %+v", f, bad)
		}
	}
	apiError(t, e.do("agent", "POST", "/api/v1/opendata/requests", novemberExport), http.StatusForbidden)

	var req openDataJSON
	decodeBody(t, e.do("analyst", "POST", "/api/v1/opendata/requests", novemberExport), http.StatusCreated, &req)
	if req.From != "2026-11-01" || req.To != "2026-11-30" || req.State != "pending" || len(req.Fields) != len(ticketing.OpenDataFields) || req.Requester != "ana1" {
		t.Fatalf("created %+v", req)
	}
	path := fmt.Sprintf("/api/v1/opendata/requests/%d", req.ID)
	apiError(t, e.do("analyst", "GET", path+"/download", ""), http.StatusForbidden)
	apiError(t, e.do("analyst", "POST", path+"/approve", ""), http.StatusForbidden)
	apiError(t, e.do("analyst2", "GET", path, ""), http.StatusNotFound)
	if f := apiError(t, e.do("sup", "POST", path+"/reject", `{}`), http.StatusBadRequest); f.Fields["note"] == "" {
		t.Errorf("reject without a note: %+v", f)
	}
	apiError(t, e.do("sup", "POST", "/api/v1/opendata/requests/x/approve", ""), http.StatusNotFound)

	var own openDataJSON
	decodeBody(t, e.do("sup", "POST", "/api/v1/opendata/requests", novemberExport), http.StatusCreated, &own)
	apiError(t, e.do("sup", "POST", fmt.Sprintf("/api/v1/opendata/requests/%d/approve", own.ID), ""), http.StatusForbidden)

	decodeBody(t, e.do("admin", "POST", path+"/reject", `{"note":"用途不明确"}`), http.StatusOK, &req)
	if req.State != "rejected" || req.Note != "用途不明确" || req.DecidedBy != "admin" {
		t.Errorf("rejected %+v", req)
	}
	apiError(t, e.do("sup", "POST", path+"/approve", ""), http.StatusConflict)
	apiError(t, e.do("analyst", "GET", path+"/download", ""), http.StatusForbidden)

	var list struct{ Requests []openDataJSON }
	decodeBody(t, e.do("analyst", "GET", "/api/v1/opendata/requests", ""), http.StatusOK, &list)
	if len(list.Requests) != 1 || list.Requests[0].ID != req.ID {
		t.Errorf("analyst's list %+v", list)
	}
	decodeBody(t, e.do("sup", "GET", "/api/v1/opendata/requests?state=pending", ""), http.StatusOK, &list)
	if len(list.Requests) != 1 || list.Requests[0].ID != own.ID {
		t.Errorf("pending list %+v", list)
	}
	if f := apiError(t, e.do("sup", "GET", "/api/v1/opendata/requests?state=done", ""), http.StatusBadRequest); f.Fields["state"] == "" {
		t.Errorf("bad state: %+v", f)
	}
}

func TestOpenDataDownloadIsRecorded(t *testing.T) {
	e := newOpenDataEnv(t)
	id := e.approved()
	apiError(t, e.do("sup", "GET", fmt.Sprintf("/api/v1/opendata/requests/%d/download", id), ""), http.StatusForbidden)
	w := e.do("analyst", "GET", fmt.Sprintf("/api/v1/opendata/requests/%d/download", id), "")
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/csv; charset=utf-8" ||
		w.Header().Get("Content-Disposition") != fmt.Sprintf(`attachment; filename="opendata-%d.csv"`, id) {
		t.Fatalf("download: %d %v", w.Code, w.Header())
	}
	body := w.Body.Bytes()
	sum := sha256.Sum256(body)
	res := w.Result()
	if res.Trailer.Get("X-Export-Sha256") != hex.EncodeToString(sum[:]) || res.Trailer.Get("X-Export-Rows") != "5" {
		t.Errorf("trailers %v", res.Trailer)
	}
	rows := exportRows(t, body)
	if len(rows) != 6 || strings.Join(rows[0], ",") != strings.Join(ticketing.OpenDataFields, ",") {
		t.Fatalf("rows %q", rows)
	}
	// Newest first: the confidential ticket of 8 Nov is left out, 7 Nov leads.
	// The first ticket (3 Nov 01:15 UTC = 09:15 Beijing) is last.
	last := rows[5]
	want := []string{"2026-11-03 09:00", "phone", "complaint", "路灯", "朝阳区", "望京街道", "[姓名]反映路灯不亮",
		"我叫[姓名]，住望京西园三区[门牌]，电话[手机号]，备用[电话]", "resolved", "已联系[姓名]女士，[手机号]已回访，承办人：[姓名]", "5", "yes", "yes", "satisfied"}
	if strings.Join(last[1:], "|") != strings.Join(want, "|") {
		t.Errorf("first ticket's row\n got %q\nwant %q", last[1:], want)
	}

	var log struct{ Downloads []downloadJSON }
	decodeBody(t, e.do("sup", "GET", "/api/v1/opendata/downloads", ""), http.StatusOK, &log)
	if len(log.Downloads) != 1 {
		t.Fatalf("download log %+v", log)
	}
	d := log.Downloads[0]
	if d.Request != id || d.By != "ana1" || d.Rows != 5 || d.Bytes != int64(len(body)) || d.SHA256 != hex.EncodeToString(sum[:]) || !d.Complete {
		t.Errorf("download record %+v (file %d bytes)", d, len(body))
	}
	apiError(t, e.do("analyst", "GET", "/api/v1/opendata/downloads", ""), http.StatusForbidden)
	decodeBody(t, e.do("analyst", "GET", fmt.Sprintf("/api/v1/opendata/downloads?request=%d", id), ""), http.StatusOK, &log)
	if len(log.Downloads) != 1 {
		t.Errorf("the analyst's own log %+v", log)
	}
	apiError(t, e.do("analyst2", "GET", fmt.Sprintf("/api/v1/opendata/downloads?request=%d", id), ""), http.StatusNotFound)
}

// Patterns that must never appear in an export.
var (
	leakPhone = regexp.MustCompile(`(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}|0\d{2,3}[\s-]?\d{7,8}|[48]00[\s-]?\d{3}[\s-]?\d{4}`)
	leakID    = regexp.MustCompile(`\d{17}[\dXx]|\d{15}`)
	leakLong  = regexp.MustCompile(`\d(?:[\s-]?\d){6,}`)
	leakHouse = regexp.MustCompile(`[0-9０-９]+\s*(?:号楼|号院|单元|室|栋|幢|弄)|\d+-\d+-\d+`)
	leakMail  = regexp.MustCompile(`@`)
	leakPlate = regexp.MustCompile(`[京沪][A-Z]`)

	pseudonymShape = regexp.MustCompile(`^[0-9a-f]{16}$`)
)

// TestOpenDataExportHoldsNoPersonalData downloads a whole export and scans
// every cell for anything that looks like a phone number, an ID or card
// number, a citizen's name, an address's house number, an e-mail or a plate.
func TestOpenDataExportHoldsNoPersonalData(t *testing.T) {
	e := newOpenDataEnv(t)
	id := e.approved()
	w := e.do("analyst", "GET", fmt.Sprintf("/api/v1/opendata/requests/%d/download", id), "")
	if w.Code != http.StatusOK {
		t.Fatalf("download %d %s", w.Code, w.Body)
	}
	rows := exportRows(t, w.Body.Bytes())
	if len(rows) < 2 {
		t.Fatal("an empty export proves nothing")
	}
	for i, row := range rows[1:] {
		for j, cell := range row {
			field := rows[0][j]
			switch field {
			case "created_hour":
				continue // YYYY-MM-DD HH:00 is the coarsened time itself
			case "pseudonym":
				if !pseudonymShape.MatchString(cell) {
					t.Errorf("row %d pseudonym %q is not 16 hex digits", i+1, cell)
				}
				continue
			}
			for name, re := range map[string]*regexp.Regexp{"phone number": leakPhone, "ID number": leakID,
				"long number": leakLong, "house number": leakHouse, "e-mail": leakMail, "plate": leakPlate} {
				if m := re.FindString(cell); m != "" {
					t.Errorf("row %d %s holds a %s %q: %q", i+1, field, name, m, cell)
				}
			}
			for _, c := range append(citizens, "钱多", "芷若") {
				if strings.Contains(cell, c) {
					t.Errorf("row %d %s names citizen %q: %q", i+1, field, c, cell)
				}
			}
			for _, p := range thirdParties {
				if strings.Contains(cell, p) {
					t.Errorf("row %d %s names %q: %q", i+1, field, p, cell)
				}
			}
			for _, tk := range e.mem.tickets {
				if strings.Contains(cell, string(tk.ID)) || strings.Contains(cell, tk.Address) {
					t.Errorf("row %d %s holds ticket %s's id or address: %q", i+1, field, tk.ID, cell)
				}
			}
		}
	}
	if bytes.Contains(w.Body.Bytes(), []byte("保密")) {
		t.Error("the confidential ticket is in the export")
	}
}

func exportRows(t *testing.T, body []byte) [][]string {
	t.Helper()
	data, ok := bytes.CutPrefix(body, []byte("\uFEFF"))
	if !ok {
		t.Fatal("no BOM")
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v", err)
	}
	return rows
}
