package text

import "strings"

// WordSep joins the words of a word n-gram.
const WordSep = " "

// CharNGrams returns every run of minN to maxN consecutive characters
// (runes) of s, shortest first at each position: for "噪音扰" with 1..2,
// 噪 噪音 音 音扰 扰.
func CharNGrams(s string, minN, maxN int) []string {
	runes := []rune(s)
	if minN < 1 || maxN < minN {
		return nil
	}
	out := make([]string, 0, len(runes)*(maxN-minN+1))
	for i := range runes {
		for n := minN; n <= maxN && i+n <= len(runes); n++ {
			out = append(out, string(runes[i:i+n]))
		}
	}
	return out
}

// WordNGrams returns every run of minN to maxN consecutive words, joined by
// WordSep, shortest first at each position.
func WordNGrams(words []string, minN, maxN int) []string {
	if minN < 1 || maxN < minN {
		return nil
	}
	out := make([]string, 0, len(words)*(maxN-minN+1))
	for i := range words {
		for n := minN; n <= maxN && i+n <= len(words); n++ {
			out = append(out, strings.Join(words[i:i+n], WordSep))
		}
	}
	return out
}
