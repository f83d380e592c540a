package media

import (
	"bytes"
	"container/list"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"sync"
)

// Prompt cache limits.
const (
	// defaultPromptCacheBytes bounds the encoded audio the process keeps
	// (both laws): about 70 minutes of distinct prompts.
	defaultPromptCacheBytes = 64 << 20
	// maxPromptWAV bounds a WAV file Play accepts.
	maxPromptWAV = 256 << 20
)

// prompts is the process's prompt cache: every trunk leg plays from it.
var prompts = newPromptCache(defaultPromptCacheBytes)

// promptCache holds prompts decoded once and encoded in both G.711 laws as
// whole frames, shared by every call that plays them: a call playing a
// prompt holds only its position in it. Entries are found by the content of
// the WAV file (a 64-bit hash and the length), so callers need not name
// them; the least recently played go first when the cache is full. A prompt
// bigger than a quarter of the cache is encoded for its one playback and not
// kept.
type promptCache struct {
	seed  maphash.Seed
	limit int
	bufs  sync.Pool // *[]byte for reading WAV files

	mu      sync.Mutex
	size    int
	entries map[promptKey]*list.Element // of *cachedPrompt
	lru     list.List                   // front: most recently played
}

type promptKey struct {
	sum uint64
	n   int
}

// cachedPrompt is one prompt in both laws, each a whole number of frames
// (the last one padded with silence). Read-only once built.
type cachedPrompt struct {
	key        promptKey
	ulaw, alaw []byte
}

func (p *cachedPrompt) frames(codec Codec) []byte {
	if codec.Name == CodecPCMA.Name {
		return p.alaw
	}
	return p.ulaw
}

func newPromptCache(limit int) *promptCache {
	return &promptCache{seed: maphash.MakeSeed(), limit: limit, entries: map[promptKey]*list.Element{}}
}

// frames returns the WAV file read from r (8 kHz mono) as frames in codec.
// The result is shared: it must not be modified.
func (c *promptCache) frames(r io.Reader, codec Codec) ([]byte, error) {
	bp := c.buffer()
	defer c.bufs.Put(bp)
	data, err := readAllInto((*bp)[:0], r, maxPromptWAV)
	*bp = data[:0]
	if err != nil {
		return nil, err
	}
	key := promptKey{sum: maphash.Bytes(c.seed, data), n: len(data)}
	if p := c.lookup(key); p != nil {
		return p.frames(codec), nil
	}
	pcm, err := promptPCM(data)
	if err != nil {
		return nil, err
	}
	if 2*len(pcm) > c.limit/4 {
		return encodeFrames(pcm, codec), nil
	}
	p := &cachedPrompt{key: key, ulaw: encodeFrames(pcm, CodecPCMU), alaw: encodeFrames(pcm, CodecPCMA)}
	return c.insert(p).frames(codec), nil
}

func (c *promptCache) buffer() *[]byte {
	if bp, ok := c.bufs.Get().(*[]byte); ok {
		return bp
	}
	b := make([]byte, 0, 64<<10)
	return &b
}

func (c *promptCache) lookup(key promptKey) *cachedPrompt {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil
	}
	c.lru.MoveToFront(e)
	return e.Value.(*cachedPrompt)
}

// insert adds p, evicting the least recently played prompts to make room,
// and returns the cached entry (an equal one may have won a race).
func (c *promptCache) insert(p *cachedPrompt) *cachedPrompt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[p.key]; ok {
		c.lru.MoveToFront(e)
		return e.Value.(*cachedPrompt)
	}
	c.entries[p.key] = c.lru.PushFront(p)
	c.size += len(p.ulaw) + len(p.alaw)
	for c.size > c.limit {
		old := c.lru.Remove(c.lru.Back()).(*cachedPrompt)
		delete(c.entries, old.key)
		c.size -= len(old.ulaw) + len(old.alaw)
	}
	return p
}

// stats returns the number of prompts cached and their encoded bytes.
func (c *promptCache) stats() (prompts, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries), c.size
}

// readAllInto appends all of r to buf, failing beyond limit bytes.
func readAllInto(buf []byte, r io.Reader, limit int) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if len(buf) > limit {
			return buf, fmt.Errorf("wav file over %d MiB", limit>>20)
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return buf, fmt.Errorf("read wav: %w", err)
		}
	}
}

// promptPCM decodes a WAV file that must be 8 kHz mono.
func promptPCM(data []byte) ([]int16, error) {
	a, err := ReadWAV(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if a.Rate != G711Rate || a.Channels != 1 {
		return nil, fmt.Errorf("%w: %v, want %d Hz mono (convert with: sox IN.wav -r 8000 -c 1 -b 16 OUT.wav)",
			ErrUnsupportedWAV, a, G711Rate)
	}
	return a.Samples, nil
}

// encodeFrames encodes pcm in codec, padding the last frame with silence.
func encodeFrames(pcm []int16, codec Codec) []byte {
	n := (len(pcm) + FrameSamples - 1) / FrameSamples * FrameSamples
	out := make([]byte, n)
	k := codec.Encode(out, pcm)
	fill(out[k:], silenceCode(codec))
	return out
}
