package main

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/call"
)

func TestPromptLibrary(t *testing.T) {
	base := fstest.MapFS{
		"zh-CN/greeting.wav": {Data: []byte("shipped zh")},
		"en/greeting.wav":    {Data: []byte("shipped en")},
		"en/for-english.wav": {Data: []byte("shipped en2")},
	}
	dir := t.TempDir()
	lib := newPromptLibrary(filepath.Join(dir, "prompts"), base)
	ctx := context.Background()
	list, err := lib.ListPrompts(ctx)
	if err != nil || len(list) != 3 || list[0].Lang != "zh" || list[1].Name != "for-english" || list[2].Name != "greeting" || list[2].Lang != "en" {
		t.Fatalf("list %+v, %v", list, err)
	}
	p, err := lib.SavePrompt(ctx, "zh", "greeting", []byte("uploaded"))
	if err != nil || !p.Uploaded || p.Bytes != 8 {
		t.Fatalf("save: %+v, %v", p, err)
	}
	if b, err := fs.ReadFile(lib.FS(), "zh-CN/greeting.wav"); err != nil || string(b) != "uploaded" {
		t.Errorf("overlay reads %q, %v", b, err)
	}
	if b, err := fs.ReadFile(lib.FS(), "en/greeting.wav"); err != nil || string(b) != "shipped en" {
		t.Errorf("overlay falls back: %q, %v", b, err)
	}
	for _, bad := range [][2]string{{"zh", "for-english"}, {"fr", "greeting"}, {"zh", "../greeting"}, {"zh", "nope"}} {
		if _, err := lib.SavePrompt(ctx, bad[0], bad[1], []byte("x")); hotline.ErrorCode(err) != hotline.EINVALID {
			t.Errorf("save %v: %v", bad, err)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "prompts", "zh-CN"))
	if len(entries) != 1 {
		t.Errorf("upload dir holds %d files", len(entries))
	}
}

// An upload replaces what the calls play from the next playback on.
func TestPromptUploadIsLive(t *testing.T) {
	base := fstest.MapFS{"zh-CN/greeting.wav": {Data: []byte("shipped")}}
	lib := newPromptLibrary(filepath.Join(t.TempDir(), "prompts"), base)
	played := call.NewPrompts(lib.FS())
	lib.OnSave = played.Forget
	if b, err := played.WAV("zh", "greeting"); err != nil || string(b) != "shipped" {
		t.Fatalf("before: %q, %v", b, err)
	}
	if _, err := lib.SavePrompt(context.Background(), "zh", "greeting", []byte("uploaded")); err != nil {
		t.Fatal(err)
	}
	if b, err := played.WAV("zh", "greeting"); err != nil || string(b) != "uploaded" {
		t.Fatalf("after the upload the calls play %q, %v", b, err)
	}
	if !lib.Live() {
		t.Error("Live is false with OnSave set")
	}
}
