package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"regexp"
	"runtime"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/cityhotline/hotline"
)

// Config configures the account service.
type Config struct {
	TokenTTL time.Duration // default 12 h: one shift
	// UnitExists checks the unit of a unit account; nil accepts any.
	UnitExists func(ctx context.Context, id hotline.UnitID) bool
	// MaxFailures within FailureWindow lock a username for FailureWindow.
	MaxFailures   int
	FailureWindow time.Duration
	// HashSlots bounds the password hashes computed at once (sign-ins,
	// new and changed passwords); default: the CPUs. Each argon2id hash
	// holds 19 MiB and a core for tens of milliseconds, so more at once
	// than there are cores only adds memory: 600 agents signing in at the
	// start of a shift would otherwise hold up to 11 GiB at the peak, and a
	// flood of wrong passwords could exhaust the server's memory.
	HashSlots int
}

// Service signs people in and manages accounts.
type Service struct {
	cfg   Config
	store Store
	clock hotline.Clock
	log   *slog.Logger
	dummy string // a hash to check against when the user does not exist
	// hashing holds a token per password hash in progress (Config.HashSlots).
	hashing chan struct{}

	mu       sync.Mutex
	cache    map[string]cached // token hash → user, for a few seconds
	failures map[string][]time.Time
}

type cached struct {
	user    *User
	expires time.Time // of the session
	until   time.Time // of this cache entry
}

// cacheFor bounds how long a revoked or disabled session may still be
// honoured by another node.
const cacheFor = 10 * time.Second

// NewService returns an account service.
func NewService(cfg Config, st Store, clock hotline.Clock, log *slog.Logger) *Service {
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 12 * time.Hour
	}
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = 10
	}
	if cfg.FailureWindow <= 0 {
		cfg.FailureWindow = 15 * time.Minute
	}
	if cfg.HashSlots <= 0 {
		cfg.HashSlots = runtime.NumCPU()
	}
	if clock == nil {
		clock = hotline.SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dummy, _ := HashPassword("not a real password")
	return &Service{cfg: cfg, store: st, clock: clock, log: log, dummy: dummy,
		hashing: make(chan struct{}, cfg.HashSlots),
		cache:   map[string]cached{}, failures: map[string][]time.Time{}}
}

// withHashSlot runs f, a password hash, once one of Config.HashSlots is
// free; a caller that gives up while waiting gets the context's error.
func (s *Service) withHashSlot(ctx context.Context, f func()) error {
	select {
	case s.hashing <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("waiting to check a password: %w", ctx.Err())
	}
	defer func() { <-s.hashing }()
	f()
	return nil
}

// checkHash is CheckPassword under a hash slot.
func (s *Service) checkHash(ctx context.Context, hash, pw string) (bool, error) {
	var ok bool
	err := s.withHashSlot(ctx, func() { ok = CheckPassword(hash, pw) })
	return ok, err
}

// hashPassword is HashPassword under a hash slot.
func (s *Service) hashPassword(ctx context.Context, pw string) (string, error) {
	var (
		hash string
		err  error
	)
	if werr := s.withHashSlot(ctx, func() { hash, err = HashPassword(pw) }); werr != nil {
		return "", werr
	}
	return hash, err
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

var badCredentials = hotline.Errorf(hotline.EUNAUTH, "wrong username or password")

// Login checks a password and opens a session.
func (s *Service) Login(ctx context.Context, username, password string) (string, *User, time.Time, error) {
	now := s.now()
	if s.locked(username, now) {
		return "", nil, time.Time{}, hotline.Errorf(hotline.EUNAUTH, "too many failed sign-ins; try again later")
	}
	u, err := s.store.FindUserByUsername(ctx, username)
	if err != nil && hotline.ErrorCode(err) != hotline.ENOTFOUND {
		return "", nil, time.Time{}, fmt.Errorf("login %s: %w", username, err)
	}
	hash := s.dummy
	if u != nil {
		hash = u.PasswordHash
	}
	ok, err := s.checkHash(ctx, hash, password) // always run: no timing hint of unknown users
	if err != nil {
		return "", nil, time.Time{}, fmt.Errorf("login %s: %w", username, err)
	}
	if u == nil || !ok || u.Disabled {
		s.fail(username, now)
		s.log.Warn("sign-in failed", "username", username)
		return "", nil, time.Time{}, badCredentials
	}
	tok, err := newToken()
	if err != nil {
		return "", nil, time.Time{}, err
	}
	sess := &Session{TokenHash: hashToken(tok), User: u.ID, Created: now, Expires: now.Add(s.cfg.TokenTTL)}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", nil, time.Time{}, fmt.Errorf("login %s: %w", username, err)
	}
	s.log.Info("signed in", "user", u.ID, "role", u.Role)
	return tok, u, sess.Expires, nil
}

func (s *Service) locked(username string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	recent := s.failures[username][:0]
	for _, t := range s.failures[username] {
		if now.Sub(t) < s.cfg.FailureWindow {
			recent = append(recent, t)
		}
	}
	if len(recent) == 0 {
		delete(s.failures, username)
	} else {
		s.failures[username] = recent
	}
	return len(recent) >= s.cfg.MaxFailures
}

func (s *Service) fail(username string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failures) > 100000 { // a flood of made-up names must not grow memory without end
		clear(s.failures)
	}
	s.failures[username] = append(s.failures[username], now)
}

// Authenticate returns the user of a bearer token.
func (s *Service) Authenticate(ctx context.Context, token string) (*User, error) {
	if token == "" {
		return nil, hotline.Errorf(hotline.EUNAUTH, "sign in first")
	}
	h := hashToken(token)
	now := s.now()
	s.mu.Lock()
	c, ok := s.cache[h]
	s.mu.Unlock()
	if ok && now.Before(c.until) && now.Before(c.expires) {
		return c.user, nil
	}
	sess, err := s.store.FindSession(ctx, h)
	if hotline.ErrorCode(err) == hotline.ENOTFOUND || (err == nil && !now.Before(sess.Expires)) {
		return nil, hotline.Errorf(hotline.EUNAUTH, "the session has expired; sign in again")
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	u, err := s.store.FindUserByID(ctx, sess.User)
	if err != nil || u.Disabled {
		return nil, hotline.Errorf(hotline.EUNAUTH, "the account is disabled")
	}
	s.mu.Lock()
	if len(s.cache) > 50000 {
		clear(s.cache)
	}
	s.cache[h] = cached{user: u, expires: sess.Expires, until: now.Add(cacheFor)}
	s.mu.Unlock()
	return u, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) error {
	h := hashToken(token)
	s.mu.Lock()
	delete(s.cache, h)
	s.mu.Unlock()
	if err := s.store.DeleteSession(ctx, h); err != nil && hotline.ErrorCode(err) != hotline.ENOTFOUND {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

// ExpireSessions deletes sessions that have run out.
func (s *Service) ExpireSessions(ctx context.Context) (int, error) {
	return s.store.DeleteExpiredSessions(ctx, s.now())
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,31}$`)

func adminOnly(a hotline.Actor) error {
	if a.Role != hotline.RoleAdmin {
		return hotline.Errorf(hotline.EFORBIDDEN, "only the admin manages accounts")
	}
	return nil
}

// CreateUser adds an account.
func (s *Service) CreateUser(ctx context.Context, a hotline.Actor, in UserInput) (*User, error) {
	if err := adminOnly(a); err != nil {
		return nil, err
	}
	var v hotline.Invalid
	if !usernamePattern.MatchString(in.Username) {
		v.Add("username", "2–32 lower-case letters, digits, '.', '_' or '-'")
	}
	u := &User{ID: hotline.UserID(in.Username), Username: in.Username, Name: in.Name, Created: s.now()}
	u.Updated = u.Created
	s.checkProfile(ctx, &v, u, in.Name, in.Role, in.Unit)
	checkPassword(&v, in.Password)
	if err := v.Err("the account is not valid"); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	u.PasswordHash = hash
	if err := s.store.CreateUser(ctx, u); err != nil {
		if hotline.ErrorCode(err) == hotline.ECONFLICT {
			return nil, hotline.Errorf(hotline.ECONFLICT, "username %q is taken", in.Username).WithField("username", "taken")
		}
		return nil, fmt.Errorf("create user %s: %w", in.Username, err)
	}
	s.log.Info("account created", "user", u.ID, "role", u.Role, "unit", u.Unit, "actor", a.UserID)
	return u, nil
}

func (s *Service) checkProfile(ctx context.Context, v *hotline.Invalid, u *User, name, role, unit string) {
	if n := utf8.RuneCountInString(name); n == 0 || n > 50 {
		v.Add("name", "1–50 characters")
	}
	r, err := hotline.ParseRole(role)
	if err != nil {
		v.Add("role", "one of admin, agent, dispatcher, supervisor, unit, analyst")
	}
	u.Role, u.Unit = r, hotline.UnitID(unit)
	switch {
	case r == hotline.RoleUnit && unit == "":
		v.Add("unit", "required for a unit account")
	case r != hotline.RoleUnit && unit != "":
		v.Add("unit", "only unit accounts belong to a unit")
	case unit != "" && s.cfg.UnitExists != nil && !s.cfg.UnitExists(ctx, u.Unit):
		v.Add("unit", "unknown unit")
	}
}

func checkPassword(v *hotline.Invalid, pw string) {
	if n := utf8.RuneCountInString(pw); n < 8 || n > 128 {
		v.Add("password", "8–128 characters")
	}
}

// UpdateUser changes an account: profile, role, password, disabled.
func (s *Service) UpdateUser(ctx context.Context, a hotline.Actor, id hotline.UserID, in UserPatch) (*User, error) {
	if err := adminOnly(a); err != nil {
		return nil, err
	}
	u, err := s.store.FindUserByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("update user %s: %w", id, err)
	}
	name, role, unit := u.Name, string(u.Role), string(u.Unit)
	if in.Name != nil {
		name = *in.Name
	}
	if in.Role != nil {
		role = *in.Role
	}
	if in.Unit != nil {
		unit = *in.Unit
	}
	var v hotline.Invalid
	u.Name = name
	s.checkProfile(ctx, &v, u, name, role, unit)
	if in.Password != nil {
		checkPassword(&v, *in.Password)
	}
	if in.Disabled != nil && *in.Disabled && u.ID == a.UserID {
		v.Add("disabled", "you cannot disable your own account")
	}
	if err := v.Err("the account is not valid"); err != nil {
		return nil, err
	}
	if in.Password != nil {
		if u.PasswordHash, err = s.hashPassword(ctx, *in.Password); err != nil {
			return nil, err
		}
	}
	if in.Disabled != nil {
		u.Disabled = *in.Disabled
	}
	u.Updated = s.now()
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return nil, fmt.Errorf("update user %s: %w", id, err)
	}
	s.dropCached(u.ID)
	s.log.Info("account updated", "user", u.ID, "actor", a.UserID)
	return u, nil
}

// dropCached forgets cached sessions of a user, so a disabled account or
// changed role takes effect at once on this node.
func (s *Service) dropCached(id hotline.UserID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for h, c := range s.cache {
		if c.user.ID == id {
			delete(s.cache, h)
		}
	}
}

// Users lists accounts.
func (s *Service) Users(ctx context.Context, a hotline.Actor) ([]*User, error) {
	if err := adminOnly(a); err != nil {
		return nil, err
	}
	return s.store.FindUsers(ctx)
}

// CreateAPIKey makes a key for an Open311 client; the key is shown once.
func (s *Service) CreateAPIKey(ctx context.Context, a hotline.Actor, name string) (string, *APIKey, error) {
	if err := adminOnly(a); err != nil {
		return "", nil, err
	}
	if n := utf8.RuneCountInString(name); n == 0 || n > 100 {
		return "", nil, hotline.Errorf(hotline.EINVALID, "the key needs a name").WithField("name", "1–100 characters")
	}
	key, err := newToken()
	if err != nil {
		return "", nil, err
	}
	k := &APIKey{KeyHash: hashToken(key), Name: name, User: a.UserID, Created: s.now()}
	if err := s.store.CreateAPIKey(ctx, k); err != nil {
		return "", nil, fmt.Errorf("create api key: %w", err)
	}
	s.log.Info("api key created", "name", name, "actor", a.UserID)
	return key, k, nil
}

// AuthenticateAPIKey returns the key record of a key.
func (s *Service) AuthenticateAPIKey(ctx context.Context, key string) (*APIKey, error) {
	k, err := s.store.FindAPIKey(ctx, hashToken(key))
	if hotline.ErrorCode(err) == hotline.ENOTFOUND || (err == nil && k.Revoked) {
		return nil, hotline.Errorf(hotline.EUNAUTH, "invalid api_key")
	}
	if err != nil {
		return nil, fmt.Errorf("check api key: %w", err)
	}
	return k, nil
}

// Bootstrap makes sure the admin account exists. With an empty password it
// generates one and returns it, to be printed once.
func (s *Service) Bootstrap(ctx context.Context, password string) (generated string, err error) {
	_, err = s.store.FindUserByUsername(ctx, "admin")
	if err == nil {
		return "", nil
	}
	if hotline.ErrorCode(err) != hotline.ENOTFOUND {
		return "", fmt.Errorf("bootstrap admin: %w", err)
	}
	if password == "" {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		password = base64.RawURLEncoding.EncodeToString(b)
		generated = password
	}
	_, err = s.CreateUser(ctx, hotline.Actor{UserID: "system", Role: hotline.RoleAdmin},
		UserInput{Username: "admin", Name: "Administrator", Role: string(hotline.RoleAdmin), Password: password})
	if err != nil {
		return "", fmt.Errorf("bootstrap admin: %w", err)
	}
	return generated, nil
}
