package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/api"
	"github.com/cityhotline/hotline/configs"
)

// promptLibrary keeps the prompts the admin uploads (POST
// /api/v1/prompts/{lang}/{name}) under the data directory's prompts/
// folder, laid out like the shipped ones (zh-CN/NAME.wav, en/NAME.wav), and
// lays them over the base prompts (shipped, or ivr.prompts_dir): FS is
// what the IVR plays from. Only names the base has can be uploaded.
//
// The call package reads each prompt file once and keeps it; OnSave (set
// by the wiring) makes it forget an uploaded one, so new calls play the
// upload at once (Live).
type promptLibrary struct {
	dir    string
	base   fs.FS
	OnSave func(lang, name string)
}

var _ api.Prompts = (*promptLibrary)(nil)

func newPromptLibrary(dir string, base fs.FS) *promptLibrary {
	return &promptLibrary{dir: dir, base: base}
}

// FS is the uploads laid over the base prompts.
func (l *promptLibrary) FS() fs.FS { return overlayFS{upper: os.DirFS(l.dir), lower: l.base} }

// Live reports whether uploads reach new calls at once (else at the next
// restart).
func (l *promptLibrary) Live() bool { return l.OnSave != nil }

// langDir is the folder of a language's prompts ("zh" → "zh-CN").
func langDir(lang string) string { return path.Dir(configs.PromptFile(lang, "x")) }

// ListPrompts lists every base prompt name per language (in PromptLangs
// order, then by name), with its upload.
func (l *promptLibrary) ListPrompts(context.Context) ([]api.Prompt, error) {
	var out []api.Prompt
	for _, lang := range api.PromptLangs {
		entries, err := fs.ReadDir(l.base, langDir(lang))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("list prompts: %w", err)
		}
		for _, e := range entries {
			name, ok := strings.CutSuffix(e.Name(), ".wav")
			if !ok || e.IsDir() {
				continue
			}
			out = append(out, l.prompt(lang, name))
		}
	}
	slices.SortStableFunc(out, func(a, b api.Prompt) int { return strings.Compare(a.Name, b.Name) })
	slices.SortStableFunc(out, func(a, b api.Prompt) int {
		return slices.Index(api.PromptLangs, a.Lang) - slices.Index(api.PromptLangs, b.Lang)
	})
	return out, nil
}

func (l *promptLibrary) prompt(lang, name string) api.Prompt {
	p := api.Prompt{Lang: lang, Name: name}
	if st, err := os.Stat(filepath.Join(l.dir, filepath.FromSlash(configs.PromptFile(lang, name)))); err == nil && st.Mode().IsRegular() {
		p.Uploaded, p.Updated, p.Bytes = true, st.ModTime().UTC(), st.Size()
	}
	return p
}

// SavePrompt writes an upload of a base prompt, atomically.
func (l *promptLibrary) SavePrompt(_ context.Context, lang, name string, wav []byte) (api.Prompt, error) {
	file := configs.PromptFile(lang, name)
	if !slices.Contains(api.PromptLangs, lang) || strings.ContainsAny(name, `/\.`) || !exists(l.base, file) {
		return api.Prompt{}, hotline.Errorf(hotline.EINVALID, "unknown prompt %s/%s", lang, name).WithField("name", "not a prompt of the IVR")
	}
	dst := filepath.Join(l.dir, filepath.FromSlash(file))
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return api.Prompt{}, fmt.Errorf("save prompt: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".upload-*.wav")
	if err != nil {
		return api.Prompt{}, fmt.Errorf("save prompt: %w", err)
	}
	_, err = tmp.Write(wav)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return api.Prompt{}, fmt.Errorf("save prompt %s: %w", file, err)
	}
	if l.OnSave != nil {
		l.OnSave(lang, name)
	}
	return l.prompt(lang, name), nil
}

func exists(fsys fs.FS, name string) bool {
	st, err := fs.Stat(fsys, name)
	return err == nil && st.Mode().IsRegular()
}

// overlayFS opens a file from upper when it has it, else from lower.
type overlayFS struct{ upper, lower fs.FS }

func (o overlayFS) Open(name string) (fs.File, error) {
	if f, err := o.upper.Open(name); err == nil {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			return f, nil
		}
		f.Close()
	}
	return o.lower.Open(name)
}
