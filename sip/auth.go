package sip

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

const (
	authRealm     = "hotline"
	nonceLifetime = 5 * time.Minute
)

// authorized checks an INVITE from a trunk with credentials: without a valid
// Proxy-Authorization it answers 407 with a fresh challenge and returns false.
// Nonces are stateless: a timestamp signed with the server's secret.
func (s *Server) authorized(req *sip.Request, tx sip.ServerTransaction, t *Trunk) bool {
	if t.Username == "" || t.Password == "" {
		return true
	}
	h := req.GetHeader("Proxy-Authorization")
	if h != nil && s.credentialsValid(req, h.Value(), t) {
		return true
	}
	chal := digest.Challenge{Realm: authRealm, Nonce: s.newNonce(), Algorithm: "MD5", QOP: []string{"auth"}}
	s.refuse(req, tx, RefusedAuth, sip.StatusProxyAuthRequired, "Proxy Authentication Required",
		"digest challenge", sip.NewHeader("Proxy-Authenticate", chal.String()))
	return false
}

func (s *Server) credentialsValid(req *sip.Request, value string, t *Trunk) bool {
	cred, err := digest.ParseCredentials(value)
	if err != nil || cred.Username != t.Username || cred.Realm != authRealm || !s.nonceFresh(cred.Nonce) {
		return false
	}
	chal := &digest.Challenge{Realm: authRealm, Nonce: cred.Nonce, Algorithm: cred.Algorithm, Opaque: cred.Opaque}
	if cred.QOP != "" {
		chal.QOP = []string{cred.QOP}
	}
	want, err := digest.Digest(chal, digest.Options{
		Method: req.Method.String(), URI: cred.URI, Count: cred.Nc, Cnonce: cred.Cnonce,
		Username: t.Username, Password: t.Password,
	})
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(want.Response)), []byte(strings.ToLower(cred.Response))) == 1
}

func (s *Server) newNonce() string {
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(s.now().Unix()))
	m := hmac.New(sha256.New, s.secret[:])
	m.Write(ts[:])
	return base64.RawURLEncoding.EncodeToString(append(ts[:], m.Sum(nil)[:16]...))
}

func (s *Server) nonceFresh(nonce string) bool {
	b, err := base64.RawURLEncoding.DecodeString(nonce)
	if err != nil || len(b) != 24 {
		return false
	}
	m := hmac.New(sha256.New, s.secret[:])
	m.Write(b[:8])
	if !hmac.Equal(m.Sum(nil)[:16], b[8:]) {
		return false
	}
	age := s.now().Sub(time.Unix(int64(binary.BigEndian.Uint64(b[:8])), 0))
	return age >= 0 && age < nonceLifetime
}
