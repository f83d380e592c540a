package api

import (
	"context"
	"errors"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/ticketing"
)

var errUnexpected = errors.New("fake: unexpected call")

// fakeTickets is a Tickets whose methods are func fields; calls counts
// every call so tests can assert that nothing reached the service.
type fakeTickets struct {
	calls int

	IntakeFn         func(hotline.Actor, ticketing.IntakeInput, ticketing.IdemKey) (*ticketing.Ticket, bool, error)
	TicketFn         func(hotline.Actor, hotline.TicketID) (*ticketing.Ticket, error)
	TicketsFn        func(hotline.Actor, ticketing.TicketFilter) ([]*ticketing.Ticket, error)
	HistoryFn        func(hotline.Actor, hotline.TicketID) ([]ticketing.Event, error)
	AccessesFn       func(hotline.Actor, hotline.TicketID) ([]ticketing.Access, error)
	ActFn            func(hotline.Actor, hotline.TicketID, string, ticketing.ActionInput) (*ticketing.Ticket, error)
	SuggestFn        func(hotline.CategoryID, string, float64, float64) (*ticketing.Suggestion, error)
	ResolveAreaFn    func(string, float64, float64) ticketing.Area
	UnitsFn          func(ticketing.UnitFilter) ([]*ticketing.Unit, error)
	UnitFn           func(hotline.UnitID) (*ticketing.Unit, error)
	CreateUnitFn     func(hotline.Actor, *ticketing.Unit) error
	UpdateUnitFn     func(hotline.Actor, *ticketing.Unit) error
	CategoriesFn     func() ([]*ticketing.Category, error)
	CreateCategoryFn func(hotline.Actor, *ticketing.Category) error
	UpdateCategoryFn func(hotline.Actor, *ticketing.Category) error
	RulesFn          func() ([]*ticketing.Rule, error)
	CreateRuleFn     func(hotline.Actor, *ticketing.Rule) error
	UpdateRuleFn     func(hotline.Actor, *ticketing.Rule) error
	DeleteRuleFn     func(hotline.Actor, int64) error
	SearchArticlesFn func(hotline.Actor, string, int) ([]*ticketing.Article, error)
	ArticleFn        func(hotline.Actor, string) (*ticketing.Article, error)
	CreateArticleFn  func(hotline.Actor, *ticketing.Article) error
	UpdateArticleFn  func(hotline.Actor, *ticketing.Article) error
}

var _ Tickets = (*fakeTickets)(nil)

func (f *fakeTickets) Intake(_ context.Context, a hotline.Actor, in ticketing.IntakeInput, idem ticketing.IdemKey) (*ticketing.Ticket, bool, error) {
	f.calls++
	if f.IntakeFn == nil {
		return nil, false, errUnexpected
	}
	return f.IntakeFn(a, in, idem)
}

func (f *fakeTickets) Ticket(_ context.Context, a hotline.Actor, id hotline.TicketID) (*ticketing.Ticket, error) {
	f.calls++
	if f.TicketFn == nil {
		return nil, errUnexpected
	}
	return f.TicketFn(a, id)
}

func (f *fakeTickets) Tickets(_ context.Context, a hotline.Actor, flt ticketing.TicketFilter) ([]*ticketing.Ticket, error) {
	f.calls++
	if f.TicketsFn == nil {
		return nil, errUnexpected
	}
	return f.TicketsFn(a, flt)
}

func (f *fakeTickets) History(_ context.Context, a hotline.Actor, id hotline.TicketID) ([]ticketing.Event, error) {
	f.calls++
	if f.HistoryFn == nil {
		return nil, errUnexpected
	}
	return f.HistoryFn(a, id)
}

func (f *fakeTickets) Accesses(_ context.Context, a hotline.Actor, id hotline.TicketID) ([]ticketing.Access, error) {
	f.calls++
	if f.AccessesFn == nil {
		return nil, errUnexpected
	}
	return f.AccessesFn(a, id)
}

func (f *fakeTickets) Act(_ context.Context, a hotline.Actor, id hotline.TicketID, action string, in ticketing.ActionInput) (*ticketing.Ticket, error) {
	f.calls++
	if f.ActFn == nil {
		return nil, errUnexpected
	}
	return f.ActFn(a, id, action, in)
}

func (f *fakeTickets) Suggest(_ context.Context, c hotline.CategoryID, addr string, lat, lng float64) (*ticketing.Suggestion, error) {
	f.calls++
	if f.SuggestFn == nil {
		return nil, errUnexpected
	}
	return f.SuggestFn(c, addr, lat, lng)
}

func (f *fakeTickets) ResolveArea(_ context.Context, addr string, lat, lng float64) ticketing.Area {
	f.calls++
	if f.ResolveAreaFn == nil {
		return ticketing.Area{}
	}
	return f.ResolveAreaFn(addr, lat, lng)
}

func (f *fakeTickets) Units(_ context.Context, flt ticketing.UnitFilter) ([]*ticketing.Unit, error) {
	f.calls++
	if f.UnitsFn == nil {
		return nil, errUnexpected
	}
	return f.UnitsFn(flt)
}

func (f *fakeTickets) Unit(_ context.Context, id hotline.UnitID) (*ticketing.Unit, error) {
	f.calls++
	if f.UnitFn == nil {
		return nil, errUnexpected
	}
	return f.UnitFn(id)
}

func (f *fakeTickets) CreateUnit(_ context.Context, a hotline.Actor, u *ticketing.Unit) error {
	f.calls++
	if f.CreateUnitFn == nil {
		return errUnexpected
	}
	return f.CreateUnitFn(a, u)
}

func (f *fakeTickets) UpdateUnit(_ context.Context, a hotline.Actor, u *ticketing.Unit) error {
	f.calls++
	if f.UpdateUnitFn == nil {
		return errUnexpected
	}
	return f.UpdateUnitFn(a, u)
}

func (f *fakeTickets) Categories(context.Context) ([]*ticketing.Category, error) {
	f.calls++
	if f.CategoriesFn == nil {
		return nil, errUnexpected
	}
	return f.CategoriesFn()
}

func (f *fakeTickets) CreateCategory(_ context.Context, a hotline.Actor, c *ticketing.Category) error {
	f.calls++
	if f.CreateCategoryFn == nil {
		return errUnexpected
	}
	return f.CreateCategoryFn(a, c)
}

func (f *fakeTickets) UpdateCategory(_ context.Context, a hotline.Actor, c *ticketing.Category) error {
	f.calls++
	if f.UpdateCategoryFn == nil {
		return errUnexpected
	}
	return f.UpdateCategoryFn(a, c)
}

func (f *fakeTickets) Rules(context.Context) ([]*ticketing.Rule, error) {
	f.calls++
	if f.RulesFn == nil {
		return nil, errUnexpected
	}
	return f.RulesFn()
}

func (f *fakeTickets) CreateRule(_ context.Context, a hotline.Actor, r *ticketing.Rule) error {
	f.calls++
	if f.CreateRuleFn == nil {
		return errUnexpected
	}
	return f.CreateRuleFn(a, r)
}

func (f *fakeTickets) UpdateRule(_ context.Context, a hotline.Actor, r *ticketing.Rule) error {
	f.calls++
	if f.UpdateRuleFn == nil {
		return errUnexpected
	}
	return f.UpdateRuleFn(a, r)
}

func (f *fakeTickets) DeleteRule(_ context.Context, a hotline.Actor, id int64) error {
	f.calls++
	if f.DeleteRuleFn == nil {
		return errUnexpected
	}
	return f.DeleteRuleFn(a, id)
}

func (f *fakeTickets) SearchArticles(_ context.Context, a hotline.Actor, q string, limit int) ([]*ticketing.Article, error) {
	f.calls++
	if f.SearchArticlesFn == nil {
		return nil, errUnexpected
	}
	return f.SearchArticlesFn(a, q, limit)
}

func (f *fakeTickets) Article(_ context.Context, a hotline.Actor, id string) (*ticketing.Article, error) {
	f.calls++
	if f.ArticleFn == nil {
		return nil, errUnexpected
	}
	return f.ArticleFn(a, id)
}

func (f *fakeTickets) CreateArticle(_ context.Context, a hotline.Actor, art *ticketing.Article) error {
	f.calls++
	if f.CreateArticleFn == nil {
		return errUnexpected
	}
	return f.CreateArticleFn(a, art)
}

func (f *fakeTickets) UpdateArticle(_ context.Context, a hotline.Actor, art *ticketing.Article) error {
	f.calls++
	if f.UpdateArticleFn == nil {
		return errUnexpected
	}
	return f.UpdateArticleFn(a, art)
}

// fakeAccounts knows one token, "good", for testUser; func fields override.
type fakeAccounts struct {
	calls int

	LoginFn              func(username, password string) (string, *account.User, time.Time, error)
	LogoutFn             func(token string) error
	CreateUserFn         func(hotline.Actor, account.UserInput) (*account.User, error)
	UpdateUserFn         func(hotline.Actor, hotline.UserID, account.UserPatch) (*account.User, error)
	UsersFn              func(hotline.Actor) ([]*account.User, error)
	CreateAPIKeyFn       func(hotline.Actor, string) (string, *account.APIKey, error)
	AuthenticateAPIKeyFn func(string) (*account.APIKey, error)
	APIKeysFn            func(hotline.Actor) ([]*account.APIKey, error)
	RevokeAPIKeyFn       func(hotline.Actor, string) (*account.APIKey, error)
}

var _ Accounts = (*fakeAccounts)(nil)

var testUser = &account.User{ID: "u1", Username: "li", Name: "Li Na", Role: hotline.RoleAgent, PasswordHash: "$argon2id$secret"}

func (f *fakeAccounts) Login(_ context.Context, username, password string) (string, *account.User, time.Time, error) {
	f.calls++
	if f.LoginFn == nil {
		return "", nil, time.Time{}, errUnexpected
	}
	return f.LoginFn(username, password)
}

func (f *fakeAccounts) Authenticate(_ context.Context, token string) (*account.User, error) {
	switch token {
	case "good":
		return testUser, nil
	case "boom":
		return nil, errors.New("session store unreachable")
	}
	return nil, hotline.Errorf(hotline.EUNAUTH, "invalid or expired token")
}

func (f *fakeAccounts) Logout(_ context.Context, token string) error {
	f.calls++
	if f.LogoutFn == nil {
		return errUnexpected
	}
	return f.LogoutFn(token)
}

func (f *fakeAccounts) CreateUser(_ context.Context, a hotline.Actor, in account.UserInput) (*account.User, error) {
	f.calls++
	if f.CreateUserFn == nil {
		return nil, errUnexpected
	}
	return f.CreateUserFn(a, in)
}

func (f *fakeAccounts) UpdateUser(_ context.Context, a hotline.Actor, id hotline.UserID, in account.UserPatch) (*account.User, error) {
	f.calls++
	if f.UpdateUserFn == nil {
		return nil, errUnexpected
	}
	return f.UpdateUserFn(a, id, in)
}

func (f *fakeAccounts) Users(_ context.Context, a hotline.Actor) ([]*account.User, error) {
	f.calls++
	if f.UsersFn == nil {
		return nil, errUnexpected
	}
	return f.UsersFn(a)
}

func (f *fakeAccounts) CreateAPIKey(_ context.Context, a hotline.Actor, name string) (string, *account.APIKey, error) {
	f.calls++
	if f.CreateAPIKeyFn == nil {
		return "", nil, errUnexpected
	}
	return f.CreateAPIKeyFn(a, name)
}

func (f *fakeAccounts) AuthenticateAPIKey(_ context.Context, key string) (*account.APIKey, error) {
	f.calls++
	if f.AuthenticateAPIKeyFn == nil {
		return nil, errUnexpected
	}
	return f.AuthenticateAPIKeyFn(key)
}

func (f *fakeAccounts) APIKeys(_ context.Context, a hotline.Actor) ([]*account.APIKey, error) {
	f.calls++
	if f.APIKeysFn == nil {
		return nil, errUnexpected
	}
	return f.APIKeysFn(a)
}

func (f *fakeAccounts) RevokeAPIKey(_ context.Context, a hotline.Actor, id string) (*account.APIKey, error) {
	f.calls++
	if f.RevokeAPIKeyFn == nil {
		return nil, errUnexpected
	}
	return f.RevokeAPIKeyFn(a, id)
}
