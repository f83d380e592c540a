package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/ticketing"
)

func TestUnits(t *testing.T) {
	e := newEnv(t)
	stored := &ticketing.Unit{ID: "jianwai", Name: "建外街道", Tier: ticketing.TierStreet, Parent: "chaoyang", Aliases: []string{"建外"}, Contact: "010-1"}
	e.tickets.UnitsFn = func(f ticketing.UnitFilter) ([]*ticketing.Unit, error) {
		if f.Tier != ticketing.TierStreet || f.Parent != "chaoyang" {
			t.Errorf("filter = %+v", f)
		}
		return []*ticketing.Unit{stored}, nil
	}
	var list struct{ Units []unitJSON }
	decodeBody(t, e.request("GET", "/api/v1/units?tier=street&parent=chaoyang", ""), 200, &list)
	if len(list.Units) != 1 || list.Units[0].Name != "建外街道" || list.Units[0].Aliases[0] != "建外" {
		t.Errorf("units = %+v", list)
	}
	if got := apiError(t, e.request("GET", "/api/v1/units?tier=galaxy", ""), 400); got.Fields["tier"] == "" {
		t.Errorf("fields = %v", got.Fields)
	}

	e.tickets.UnitFn = func(id hotline.UnitID) (*ticketing.Unit, error) {
		if id != stored.ID {
			return nil, hotline.Errorf(hotline.ENOTFOUND, "no unit")
		}
		u := *stored
		return &u, nil
	}
	var updated *ticketing.Unit
	e.tickets.UpdateUnitFn = func(_ hotline.Actor, u *ticketing.Unit) error { updated = u; return nil }
	var got unitJSON
	decodeBody(t, e.request("PATCH", "/api/v1/units/jianwai", `{"contact":"010-2","disabled":true}`), 200, &got)
	if updated == nil || updated.Contact != "010-2" || !updated.Disabled || updated.Name != "建外街道" || updated.Parent != "chaoyang" {
		t.Errorf("patched = %+v", updated)
	}
	apiError(t, e.request("PATCH", "/api/v1/units/nowhere", `{"contact":"1"}`), 404)
	apiError(t, e.request("PATCH", "/api/v1/units/jianwai", `{"id":"other"}`), 400)
}

func TestCreateUnit(t *testing.T) {
	e := newEnv(t)
	var created *ticketing.Unit
	e.tickets.CreateUnitFn = func(a hotline.Actor, u *ticketing.Unit) error { created = u; return nil }
	w := e.request("POST", "/api/v1/units", `{"id":"wangjing","name":"望京街道","tier":"street","parent":"chaoyang","aliases":["望京"]}`)
	var got unitJSON
	decodeBody(t, w, http.StatusCreated, &got)
	if created == nil || created.Tier != ticketing.TierStreet || created.Aliases[0] != "望京" || w.Header().Get("Location") != "/api/v1/units/wangjing" {
		t.Errorf("created = %+v, location %q", created, w.Header().Get("Location"))
	}
}

func TestCategories(t *testing.T) {
	e := newEnv(t)
	cats := []*ticketing.Category{{ID: "01", Name: "城市管理"}, {ID: "0101", Name: "路灯", Parent: "01", Urgency: "ordinary", Keywords: []string{"路灯"}}}
	e.tickets.CategoriesFn = func() ([]*ticketing.Category, error) { return cats, nil }
	var updated *ticketing.Category
	e.tickets.UpdateCategoryFn = func(_ hotline.Actor, c *ticketing.Category) error { updated = c; return nil }
	var got categoryJSON
	decodeBody(t, e.request("PATCH", "/api/v1/categories/0101", `{"auto_dispatch":true,"urgency":"utility"}`), 200, &got)
	if updated == nil || !updated.AutoDispatch || updated.Urgency != "utility" || updated.Name != "路灯" || got.Parent != "01" {
		t.Errorf("updated = %+v, got %+v", updated, got)
	}
	apiError(t, e.request("PATCH", "/api/v1/categories/9999", `{"name":"x"}`), 404)
}

func TestCatalogue(t *testing.T) {
	e := newEnv(t)
	e.tickets.CreateRuleFn = func(_ hotline.Actor, r *ticketing.Rule) error {
		if r.ID != 0 || r.Target != ticketing.TargetStreet {
			t.Errorf("create rule %+v", r)
		}
		r.ID = 12
		return nil
	}
	w := e.request("POST", "/api/v1/catalogue", `{"id":99,"category":"0101","target":"street","priority":10}`)
	var got ruleJSON
	decodeBody(t, w, http.StatusCreated, &got)
	if got.ID != 12 || w.Header().Get("Location") != "/api/v1/catalogue/12" {
		t.Errorf("rule = %+v, location %q", got, w.Header().Get("Location"))
	}

	var put *ticketing.Rule
	e.tickets.UpdateRuleFn = func(_ hotline.Actor, r *ticketing.Rule) error { put = r; return nil }
	decodeBody(t, e.request("PUT", "/api/v1/catalogue/12", `{"category":"0101","target":"unit","unit":"beijing-power"}`), 200, &got)
	if put == nil || put.ID != 12 || put.Unit != "beijing-power" {
		t.Errorf("put = %+v", put)
	}
	apiError(t, e.request("PUT", "/api/v1/catalogue/12", `{"id":13}`), 400)
	apiError(t, e.request("PUT", "/api/v1/catalogue/abc", `{}`), 404)

	var deleted int64
	e.tickets.DeleteRuleFn = func(_ hotline.Actor, id int64) error { deleted = id; return nil }
	if w := e.request("DELETE", "/api/v1/catalogue/12", ""); w.Code != http.StatusNoContent || deleted != 12 {
		t.Errorf("delete = %d, id %d", w.Code, deleted)
	}
}

func TestKnowledgeBase(t *testing.T) {
	e := newEnv(t)
	e.tickets.SearchArticlesFn = func(_ hotline.Actor, q string, limit int) ([]*ticketing.Article, error) {
		if q != "社保" || limit != 5 {
			t.Errorf("search(%q, %d)", q, limit)
		}
		return []*ticketing.Article{{ID: "kb1", Title: "社保卡补办", Version: 2, Updated: testNow}}, nil
	}
	var list struct{ Articles []articleJSON }
	decodeBody(t, e.request("GET", "/api/v1/kb?q=%E7%A4%BE%E4%BF%9D&limit=5", ""), 200, &list)
	if len(list.Articles) != 1 || list.Articles[0].Version != 2 || list.Articles[0].Updated != "2026-11-27T10:00:00Z" {
		t.Errorf("articles = %+v", list)
	}
	apiError(t, e.request("GET", "/api/v1/kb?limit=1000", ""), 400)

	var put *ticketing.Article
	e.tickets.UpdateArticleFn = func(_ hotline.Actor, a *ticketing.Article) error {
		put = a
		return nil
	}
	decodeBody(t, e.request("PUT", "/api/v1/kb/kb1", `{"title":"社保卡补办","body":"…","version":2,"valid_to":"2027-01-01T00:00:00+08:00"}`), 200, &articleJSON{})
	if put == nil || put.ID != "kb1" || put.Version != 2 || !put.ValidTo.Equal(time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("put = %+v", put)
	}
	got := apiError(t, e.request("POST", "/api/v1/kb", `{"title":"x","valid_from":"tomorrow"}`), 400)
	if got.Fields["valid_from"] == "" {
		t.Errorf("fields = %v", got.Fields)
	}
}

func TestUsersNeverShowPasswordHash(t *testing.T) {
	e := newEnv(t)
	var gotIn account.UserInput
	e.accounts.CreateUserFn = func(_ hotline.Actor, in account.UserInput) (*account.User, error) {
		gotIn = in
		return &account.User{ID: "u2", Username: in.Username, Role: hotline.RoleUnit, Unit: "jianwai", PasswordHash: "$argon2id$x"}, nil
	}
	w := e.request("POST", "/api/v1/users", `{"username":"zhang","name":"张","role":"unit","unit":"jianwai","password":"s3cret!"}`)
	if w.Code != http.StatusCreated || gotIn.Password != "s3cret!" || gotIn.Unit != "jianwai" {
		t.Fatalf("create = %d %s, in %+v", w.Code, w.Body, gotIn)
	}
	if strings.Contains(w.Body.String(), "argon2") || strings.Contains(w.Body.String(), "s3cret") {
		t.Errorf("leak: %s", w.Body)
	}
	e.accounts.UsersFn = func(hotline.Actor) ([]*account.User, error) { return []*account.User{testUser}, nil }
	w = e.request("GET", "/api/v1/users", "")
	if w.Code != 200 || strings.Contains(w.Body.String(), "argon2") || !strings.Contains(w.Body.String(), `"username":"li"`) {
		t.Errorf("users = %d %s", w.Code, w.Body)
	}
	var patch account.UserPatch
	e.accounts.UpdateUserFn = func(_ hotline.Actor, id hotline.UserID, p account.UserPatch) (*account.User, error) {
		patch = p
		return testUser, nil
	}
	e.request("PATCH", "/api/v1/users/u1", `{"disabled":true}`)
	if patch.Disabled == nil || !*patch.Disabled || patch.Name != nil {
		t.Errorf("patch = %+v", patch)
	}
}

func TestCreateAPIKey(t *testing.T) {
	e := newEnv(t)
	e.accounts.CreateAPIKeyFn = func(a hotline.Actor, name string) (string, *account.APIKey, error) {
		return "k_abc", &account.APIKey{KeyHash: "0123456789ab" + "cdef-the-rest-of-the-hash", Name: name, User: a.UserID, Created: testNow}, nil
	}
	var got apiKeyJSON
	w := e.request("POST", "/api/v1/apikeys", `{"name":"city app"}`)
	decodeBody(t, w, http.StatusCreated, &got)
	if got.Key != "k_abc" || got.ID != "0123456789ab" || got.Name != "city app" || got.User != "u1" || strings.Contains(w.Body.String(), "the-rest-of-the-hash") {
		t.Errorf("key = %s", w.Body)
	}
}
