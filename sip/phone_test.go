package sip

import (
	"testing"

	"github.com/cityhotline/hotline/internal/baresip"
)

type phone = baresip.Phone

type phoneOptions = baresip.Options

func startPhone(t *testing.T, o phoneOptions) *phone { return baresip.Start(t, o) }

func needTool(t *testing.T, name string) string { return baresip.NeedTool(t, name) }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
