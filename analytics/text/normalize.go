// Package text prepares Chinese citizen-request text for analysis: it
// normalises characters, segments text into words with a small embedded
// dictionary of the words a 12345 centre sees, and turns characters and
// words into n-gram features.
//
// The usual pipeline is
//
//	norm := text.Normalize(s, text.KeepDigits)
//	words := text.Default().Segment(norm)
//	feats := append(text.CharNGrams(norm, 1, 3), text.WordNGrams(words, 1, 2)...)
package text

import (
	"strings"
	"unicode"
)

// DigitMode says what Normalize does with digits.
type DigitMode int

// Digit modes.
const (
	KeepDigits     DigitMode = iota // digits stay as they are
	CollapseDigits                  // every run of digits becomes a single "0"
)

// Normalize folds full-width forms to half-width (Ａ→A, ３→3, the ideographic
// space to a space), lower-cases letters, and drops everything that is not
// a letter or a decimal digit: punctuation, symbols and whitespace (so
// "J10 县" becomes "j10县"). Han characters count as letters and are kept.
func Normalize(s string, digits DigitMode) string {
	var b strings.Builder
	b.Grow(len(s))
	inDigits := false
	for _, r := range s {
		r = unicode.ToLower(HalfWidth(r))
		switch {
		case isDigit(r):
			if digits == CollapseDigits {
				if !inDigits {
					b.WriteByte('0')
				}
				inDigits = true
				continue
			}
			b.WriteRune(r)
		case unicode.IsLetter(r):
			b.WriteRune(r)
		}
		inDigits = false
	}
	return b.String()
}

// HalfWidth maps a full-width ASCII variant (U+FF01–U+FF5E) to its ASCII
// form and the ideographic space (U+3000) to a space; other runes are
// returned unchanged.
func HalfWidth(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == 0x3000:
		return ' '
	}
	return r
}

// isDigit reports whether r is an ASCII digit; other decimal digits are
// folded to ASCII by HalfWidth first or dropped as symbols.
func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// IsHan reports whether r is a Chinese character.
func IsHan(r rune) bool { return unicode.Is(unicode.Han, r) }
