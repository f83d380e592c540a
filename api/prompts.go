package api

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"time"

	"github.com/cityhotline/hotline"
)

// Prompts keeps the IVR prompts that the admin uploads (cmd keeps them in
// the data directory's prompts folder, laid over the shipped ones); with a
// nil Config.Prompts the prompt routes answer 404.
type Prompts interface {
	// ListPrompts returns every prompt name the IVR knows, per language
	// ("zh", "en"), and which of them have an uploaded recording.
	ListPrompts(ctx context.Context) ([]Prompt, error)
	// SavePrompt stores an uploaded recording of a known prompt, replacing
	// an earlier upload; the WAV has been checked.
	SavePrompt(ctx context.Context, lang, name string, wav []byte) (Prompt, error)
	// Live reports whether a saved prompt is played to new calls at once
	// (false: after the next restart).
	Live() bool
}

// Prompt is one prompt of one language.
type Prompt struct {
	Lang, Name string
	Uploaded   bool      // an upload replaces the shipped (or configured) recording
	Updated    time.Time // of the upload
	Bytes      int64     // of the upload
}

// PromptLangs are the languages of the prompts.
var PromptLangs = []string{"zh", "en"}

type promptJSON struct {
	Lang     string  `json:"lang"`
	Name     string  `json:"name"`
	Uploaded bool    `json:"uploaded"`
	Updated  string  `json:"updated,omitempty"`
	Bytes    int64   `json:"bytes,omitempty"`
	Seconds  float64 `json:"seconds,omitempty"` // of the upload just made
}

type promptListJSON struct {
	Prompts []promptJSON `json:"prompts"`
	Live    bool         `json:"live"`
}

func toPromptJSON(p Prompt) promptJSON {
	return promptJSON{Lang: p.Lang, Name: p.Name, Uploaded: p.Uploaded, Updated: stamp(p.Updated), Bytes: p.Bytes}
}

// promptsFor checks that the IVR prompts are served and the actor is the
// admin.
func (s *server) promptsFor(r *http.Request) (Prompts, error) {
	if s.cfg.Prompts == nil {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "prompt upload is not enabled")
	}
	if a := actor(r); a.Role != hotline.RoleAdmin {
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "only the admin manages the IVR prompts")
	}
	return s.cfg.Prompts, nil
}

func (s *server) listPrompts(w http.ResponseWriter, r *http.Request) {
	ps, err := s.promptsFor(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := ps.ListPrompts(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := promptListJSON{Prompts: make([]promptJSON, 0, len(list)), Live: ps.Live()}
	for _, p := range list {
		out.Prompts = append(out.Prompts, toPromptJSON(p))
	}
	writeJSON(w, http.StatusOK, out)
}

// uploadPrompt answers POST /api/v1/prompts/{lang}/{name}: the body is the
// WAV file itself (Content-Type audio/wav).
func (s *server) uploadPrompt(w http.ResponseWriter, r *http.Request) {
	ps, err := s.promptsFor(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang, name := r.PathValue("lang"), r.PathValue("name")
	list, err := ps.ListPrompts(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var v hotline.Invalid
	if !slices.Contains(PromptLangs, lang) {
		v.Add("lang", "must be zh or en")
	} else if !slices.ContainsFunc(list, func(p Prompt) bool { return p.Lang == lang && p.Name == name }) {
		v.Add("name", "not a prompt of the IVR in this language (GET /api/v1/prompts lists them)")
	}
	if err := v.Err("unknown prompt"); err != nil {
		s.fail(w, r, err)
		return
	}
	wav, err := s.readPrompt(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	length, err := checkPromptWAV(wav)
	if err != nil {
		s.fail(w, r, hotline.Errorf(hotline.EINVALID, "the recording is not usable: %v", err).WithField("file", err.Error()))
		return
	}
	p, err := ps.SavePrompt(r.Context(), lang, name, wav)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.InfoContext(r.Context(), "ivr prompt uploaded", "lang", lang, "name", name, "bytes", len(wav), "actor", actor(r).UserID)
	out := toPromptJSON(p)
	out.Seconds = length.Round(10 * time.Millisecond).Seconds()
	writeJSON(w, http.StatusOK, out)
}

// readPrompt reads an audio/wav body of at most maxPromptBody bytes.
func (s *server) readPrompt(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave":
	default:
		return nil, hotline.Errorf(codeUnsupported, "content type must be audio/wav")
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPromptBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, hotline.Errorf(codeTooLarge, "the recording is larger than %d bytes (a minute of 8 kHz 16-bit mono)", maxPromptBody).
			WithField("file", "longer than 60 s")
	}
	if err != nil {
		return nil, hotline.Errorf(hotline.EINVALID, "cannot read the recording: %v", err)
	}
	return data, nil
}
