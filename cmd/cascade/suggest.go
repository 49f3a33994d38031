package main

import (
	"strings"
	"unicode/utf8"

	"cascade/scenarios/units"
)

// didYouMean returns ` (did you mean "PREFIXcandidate"?)` for the candidate
// closest to word — within two edits, or else one word is a prefix of — and
// "" when nothing is close: a wrong guess is worse than none.
func didYouMean(word string, candidates []string, prefix string) string {
	best, bestD := "", 3
	lw := strings.ToLower(word)
	for _, c := range candidates {
		d := units.EditDistance(lw, strings.ToLower(c))
		if d < bestD && d < max(utf8.RuneCountInString(c), utf8.RuneCountInString(word)) {
			best, bestD = c, d
		}
	}
	if best == "" && utf8.RuneCountInString(word) >= 2 {
		for _, c := range candidates {
			if strings.HasPrefix(strings.ToLower(c), lw) {
				best = c
				break
			}
		}
	}
	if best == "" {
		return ""
	}
	return ` (did you mean "` + prefix + best + `"?)`
}
