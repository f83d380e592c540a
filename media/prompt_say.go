package media

import (
	"strconv"
	"strings"
	"time"
)

// Largest numbers SayNumber reads.
const (
	MaxSayNumberZH = 99_999_999 // 九千九百九十九万九千九百九十九
	MaxSayNumberEN = 999_999    // nine hundred ninety nine thousand nine hundred ninety nine
)

// isEnglish reports whether lang names English ("en", "en-US", "EN_gb"). Any
// other language is read in Mandarin, the hotline's primary language.
func isEnglish(lang string) bool {
	l := strings.ToLower(lang)
	return l == "en" || strings.HasPrefix(l, "en-") || strings.HasPrefix(l, "en_")
}

func digitPrompt(d int) string { return "digit-" + strconv.Itoa(d) }

// SayNumber returns the prompt names that read n aloud: in Mandarin for any
// lang but English ("zh-CN": 1234 → 一 千 二 百 三 十 四, 10 → 十, 105 → 一 百
// 零 五, 20000 → 二 万) and in English for "en" (1234 → one thousand two
// hundred thirty four). It returns nil for n below 0 or above
// MaxSayNumberZH / MaxSayNumberEN. See the prompt names in prompt.go.
func SayNumber(n int, lang string) []string {
	if isEnglish(lang) {
		if n < 0 || n > MaxSayNumberEN {
			return nil
		}
		return sayEnglish(n)
	}
	if n < 0 || n > MaxSayNumberZH {
		return nil
	}
	return sayChinese(n)
}

// sayChinese reads n in groups of four digits: 万 then units. A run of zeros
// inside the number is read as one 零; a leading 一十 is read 十.
func sayChinese(n int) []string {
	if n == 0 {
		return []string{digitPrompt(0)}
	}
	high, low := n/10000, n%10000
	var out []string
	if high > 0 {
		out = chineseGroup(out, high, true)
		out = append(out, PromptWan)
		if low > 0 && low < 1000 {
			out = append(out, PromptZeroFiller)
		}
	}
	if low > 0 {
		out = chineseGroup(out, low, high == 0)
	}
	return out
}

// chineseGroup appends the reading of 1 ≤ n ≤ 9999. first says whether the
// group starts the number, where 一十 becomes 十.
func chineseGroup(out []string, n int, first bool) []string {
	units := [4]string{PromptQian, PromptBai, PromptTen, ""}
	digits := [4]int{n / 1000, n / 100 % 10, n / 10 % 10, n % 10}
	started, zero := false, false
	for i, d := range digits {
		if d == 0 {
			zero = zero || started
			continue
		}
		if zero {
			out = append(out, PromptZeroFiller)
			zero = false
		}
		if !(first && !started && i == 2 && d == 1) {
			out = append(out, digitPrompt(d))
		}
		if units[i] != "" {
			out = append(out, units[i])
		}
		started = true
	}
	return out
}

// sayEnglish reads n without "and", as US English does.
func sayEnglish(n int) []string {
	if n == 0 {
		return []string{digitPrompt(0)}
	}
	var out []string
	if n >= 1000 {
		out = englishHundreds(out, n/1000)
		out = append(out, PromptThousand)
	}
	return englishHundreds(out, n%1000)
}

// englishHundreds appends the reading of 0 ≤ n ≤ 999 (nothing for 0).
func englishHundreds(out []string, n int) []string {
	if n >= 100 {
		out = append(out, digitPrompt(n/100), PromptHundred)
		n %= 100
	}
	switch {
	case n == 0:
	case n < 10:
		out = append(out, digitPrompt(n))
	case n < 20:
		out = append(out, "num-"+strconv.Itoa(n))
	default:
		out = append(out, "num-"+strconv.Itoa(n/10*10))
		if n%10 > 0 {
			out = append(out, digitPrompt(n%10))
		}
	}
	return out
}

// SayDigits returns the prompt names that read s digit by digit, as for a
// ticket or phone number. In Mandarin 1 is read 幺 (digit-1-yao), as
// Chinese speakers do for digit strings. Characters other than ASCII digits
// (dashes, letters) are skipped.
func SayDigits(s string, lang string) []string {
	var out []string
	for _, r := range s {
		if r < '0' || r > '9' {
			continue
		}
		if r == '1' && !isEnglish(lang) {
			out = append(out, PromptYao)
			continue
		}
		out = append(out, digitPrompt(int(r-'0')))
	}
	return out
}

// SayDuration returns the prompt names for an estimated wait: "约 N 分钟" or
// "about N minutes", N being d in whole minutes rounded up, at least 1.
func SayDuration(d time.Duration, lang string) []string {
	minutes := max(1, int((d+time.Minute-1)/time.Minute))
	unit := PromptMinute
	if isEnglish(lang) && minutes > 1 {
		unit = PromptMinutes
	}
	limit := MaxSayNumberZH
	if isEnglish(lang) {
		limit = MaxSayNumberEN
	}
	out := append([]string{PromptAbout}, SayNumber(min(minutes, limit), lang)...)
	return append(out, unit)
}

// RequiredPrompts returns every prompt name SayNumber, SayDigits and
// SayDuration can produce for lang, for checking a prompt set at startup.
func RequiredPrompts(lang string) []string {
	var out []string
	for d := range 10 {
		out = append(out, digitPrompt(d))
	}
	out = append(out, PromptTen, PromptAbout, PromptMinute)
	if isEnglish(lang) {
		for n := 11; n <= 19; n++ {
			out = append(out, "num-"+strconv.Itoa(n))
		}
		for n := 20; n <= 90; n += 10 {
			out = append(out, "num-"+strconv.Itoa(n))
		}
		return append(out, PromptHundred, PromptThousand, PromptMinutes)
	}
	return append(out, PromptYao, PromptBai, PromptQian, PromptWan, PromptZeroFiller)
}
