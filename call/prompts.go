package call

import (
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/cityhotline/hotline/configs"
)

var errTransfer = errors.New("transfer is not available yet")

// Prompts serves prompt WAV files from a prompts tree (the embedded one or
// an operator's directory of real recordings), read once and kept.
type Prompts struct {
	fsys fs.FS
	mu   sync.Mutex
	wavs map[string][]byte
}

// NewPrompts serves prompts from fsys (laid out as zh-CN/NAME.wav, en/NAME.wav).
func NewPrompts(fsys fs.FS) *Prompts {
	return &Prompts{fsys: fsys, wavs: map[string][]byte{}}
}

// WAV returns the WAV file of prompt ref in language lang.
func (p *Prompts) WAV(lang, ref string) ([]byte, error) {
	if lang == "" {
		lang = "zh"
	}
	file := configs.PromptFile(lang, ref)
	p.mu.Lock()
	defer p.mu.Unlock()
	if b, ok := p.wavs[file]; ok {
		return b, nil
	}
	b, err := fs.ReadFile(p.fsys, file)
	if err != nil {
		return nil, fmt.Errorf("prompt %s: %w", file, err)
	}
	p.wavs[file] = b
	return b, nil
}

// Forget drops prompt ref of language lang from the cache: the next call
// that plays it reads the file again (an administrator uploaded a new
// recording).
func (p *Prompts) Forget(lang, ref string) {
	if lang == "" {
		lang = "zh"
	}
	p.mu.Lock()
	delete(p.wavs, configs.PromptFile(lang, ref))
	p.mu.Unlock()
}

// queueCounts tracks how many callers wait in each queue, for the
// hotline_queue_waiting gauge.
type queueCounts struct {
	mu sync.Mutex
	n  map[string]int
	m  Metrics
}

func newQueueCounts(m Metrics) *queueCounts { return &queueCounts{n: map[string]int{}, m: m} }

func (q *queueCounts) add(queue string, d int) {
	q.mu.Lock()
	q.n[queue] += d
	n := q.n[queue]
	q.mu.Unlock()
	if q.m != nil {
		q.m.QueueWaiting(queue, n)
	}
}

// total is the number of callers waiting in all queues.
func (q *queueCounts) total() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, v := range q.n {
		n += v
	}
	return n
}
