package ivr

import "time"

// QueueAnnouncement is the prompt list that tells a waiting caller how many
// callers are ahead and, when known, about how long the wait is:
// 您前面还有 N 位，预计等待 约 M 分钟 / "Callers ahead of you: N callers.
// Estimated wait: about M minutes". say reads a number in lang (media's
// SayNumber); a wait under a minute is read as one minute, an unknown
// (zero) wait is left out.
func QueueAnnouncement(ahead int, wait time.Duration, lang string, say func(n int, lang string) []string) []string {
	if ahead < 0 {
		ahead = 0
	}
	out := []string{"queue-ahead"}
	out = append(out, say(ahead, lang)...)
	out = append(out, "queue-people")
	if wait <= 0 {
		return out
	}
	minutes := int((wait + time.Minute - 1) / time.Minute)
	out = append(out, "queue-wait", "about")
	out = append(out, say(minutes, lang)...)
	if minutes == 1 && lang == "en" {
		return append(out, "minute")
	}
	if lang == "en" {
		return append(out, "minutes")
	}
	return append(out, "minute")
}
