package api

import (
	"testing"

	"github.com/cityhotline/hotline/ticketing"
)

func FuzzDecodeClaim(f *testing.F) {
	for _, s := range []string{
		`{"kind":"appeal","reason":"已解决","evidence":"回执","callback":12}`, `{"kind":"unreasonable","reason":"x"}`,
		`{"callback":1.5}`, `{"callback":-1}`, `{"callback":99999999999999999999}`, `{"kind":1}`, `{}`, `null`, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode[ticketing.ClaimInput](t, data) })
}

func FuzzDecodeRuling(f *testing.F) {
	for _, s := range []string{`{"note":"属实","version":2}`, `{"note":null}`, `{"version":"1"}`, `[]`, `{"note":"\ud800"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode[ticketing.RulingInput](t, data) })
}
