package ticketing

import (
	"strings"
	"unicode"
)

// Chinese text has no spaces, and neither store ships a Chinese segmenter, so
// text is indexed as overlapping character bigrams (plus single characters)
// and queried by bigrams: "路灯不亮" matches any text holding 路灯, 灯不 and
// 不亮. Latin words and numbers are kept whole. Both stores index the output
// of IndexTokens and search with the output of QueryTerms, so they agree.

// IndexTokens returns the distinct tokens to index for text, in order of
// first appearance.
func IndexTokens(text string) []string {
	return tokens(text, true)
}

// QueryTerms returns the terms that a text must all contain to match q.
func QueryTerms(q string) []string {
	return tokens(q, false)
}

// IndexText is IndexTokens joined by spaces: what the stores put in their
// full-text columns.
func IndexText(parts ...string) string {
	return strings.Join(IndexTokens(strings.Join(parts, " ")), " ")
}

func tokens(text string, index bool) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	var han []rune
	var word []rune
	flushHan := func() {
		switch {
		case len(han) == 1:
			add(string(han))
		case len(han) > 1:
			for i := 0; i+1 < len(han); i++ {
				if index {
					add(string(han[i]))
				}
				add(string(han[i : i+2]))
			}
			if index {
				add(string(han[len(han)-1]))
			}
		}
		han = han[:0]
	}
	flushWord := func() {
		add(string(word))
		word = word[:0]
	}
	for _, r := range strings.ToLower(text) {
		switch {
		case isHan(r):
			flushWord()
			han = append(han, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			flushHan()
			word = append(word, toHalfWidth(r))
		default:
			flushHan()
			flushWord()
		}
	}
	flushHan()
	flushWord()
	return out
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// toHalfWidth folds full-width digits and letters (１２号, ＡＢＣ) to ASCII.
func toHalfWidth(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		return unicode.ToLower(r - 0xFEE0)
	}
	return r
}
