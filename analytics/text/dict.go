package text

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

//go:embed dict.txt
var defaultDict string

// defaultFreq is the frequency of a dictionary word listed without one.
const defaultFreq = 10

// Dictionary is a set of words with relative frequencies. Build it with
// NewDictionary and Add, or ReadDictionary; it is safe for concurrent
// reads once built.
type Dictionary struct {
	freq   map[string]int
	total  int
	maxLen int // longest word, in runes
}

// NewDictionary returns an empty dictionary.
func NewDictionary() *Dictionary {
	return &Dictionary{freq: map[string]int{}}
}

// Add puts word into d with the given relative frequency (a word added
// twice keeps the larger one). Words with no Han character or a frequency
// below 1 are ignored: the segmenter keeps Latin and digit runs whole.
func (d *Dictionary) Add(word string, freq int) {
	if freq < 1 || !allHan(word) {
		return
	}
	old, ok := d.freq[word]
	if ok && old >= freq {
		return
	}
	d.freq[word] = freq
	d.total += freq - old
	d.maxLen = max(d.maxLen, utf8.RuneCountInString(word))
}

// Contains reports whether word is in d.
func (d *Dictionary) Contains(word string) bool {
	_, ok := d.freq[word]
	return ok
}

// Len is the number of words in d.
func (d *Dictionary) Len() int { return len(d.freq) }

// cost is the negative log-probability of a known word.
func (d *Dictionary) cost(word string) (float64, bool) {
	f, ok := d.freq[word]
	if !ok {
		return 0, false
	}
	return math.Log(float64(d.total) / float64(f)), true
}

// ReadDictionary reads one word a line, optionally followed by whitespace
// and a frequency; blank lines and lines starting with # are skipped.
func ReadDictionary(r io.Reader) (*Dictionary, error) {
	d := NewDictionary()
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		freq := defaultFreq
		if len(f) > 1 {
			v, err := strconv.Atoi(f[1])
			if err != nil || v < 1 {
				return nil, fmt.Errorf("dictionary line %d: bad frequency %q", n, f[1])
			}
			freq = v
		}
		d.Add(Normalize(f[0], KeepDigits), freq)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read dictionary: %w", err)
	}
	return d, nil
}

var defaultDictionary = sync.OnceValue(func() *Dictionary {
	d, err := ReadDictionary(strings.NewReader(defaultDict))
	if err != nil {
		// The embedded file is ours and tested; an error here is a build bug.
		return NewDictionary()
	}
	return d
})

// DefaultDictionary returns the embedded hotline dictionary: several
// hundred words of housing, environment, transport, education, labour and
// social security, commerce, health and administration, with place and unit
// suffixes. Callers must not Add to it; build their own with
// ReadDictionary or NewDictionary instead.
func DefaultDictionary() *Dictionary { return defaultDictionary() }

func allHan(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !IsHan(r) {
			return false
		}
	}
	return true
}
