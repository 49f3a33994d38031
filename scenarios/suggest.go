package scenarios

import (
	"strings"
	"unicode/utf8"

	"cascade/scenarios/units"
)

// suggest returns the candidate the user most likely meant by word: the
// closest by edit distance (adjacent swaps count as one edit, so "rtae" is one
// away from "rate"), at most 2 edits away, or 1 for words of up to four
// letters, where two edits leave too little of the word ("oops" is not "cos");
// failing that, a candidate that word is a prefix of or that is a prefix of
// word. Ties go to the earliest candidate, so hints are stable. It returns ""
// when nothing is close, because a wrong guess is worse than none.
func suggest(word string, candidates []string) string {
	lw := strings.ToLower(word)
	n := utf8.RuneCountInString(word)
	limit := 2
	if n <= 4 {
		limit = 1
	}
	best, bestD := "", limit+1
	for _, c := range candidates {
		if c == word {
			continue
		}
		if d := units.EditDistance(lw, strings.ToLower(c)); d < bestD && d < max(n, utf8.RuneCountInString(c)) {
			best, bestD = c, d
		}
	}
	if best != "" || n < 2 {
		return best
	}
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if lc == lw {
			continue
		}
		if strings.HasPrefix(lc, lw) || strings.HasPrefix(lw, lc) && utf8.RuneCountInString(c) >= 2 {
			return c
		}
	}
	return ""
}

// hintFor is the parenthesised hint for an unknown name: a did-you-mean when
// one is close, and the list of names that exist, so the user never has to
// open another file to find the right spelling.
func hintFor(word string, known []string, label string) string {
	var parts []string
	if s := suggest(word, known); s != "" {
		parts = append(parts, `did you mean "`+s+`"?`)
	}
	if len(known) > 0 {
		parts = append(parts, label+": "+strings.Join(known, ", "))
	} else {
		parts = append(parts, "none are defined")
	}
	return strings.Join(parts, " ")
}

// didYouMean is a hint naming the closest candidate, or "".
func didYouMean(word string, candidates []string) string {
	if s := suggest(word, candidates); s != "" {
		return `did you mean "` + s + `"?`
	}
	return ""
}
