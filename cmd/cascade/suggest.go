package main

import (
	"strings"
	"unicode/utf8"
)

// didYouMean returns ` (did you mean "PREFIXcandidate"?)` for the candidate
// closest to word — within two edits, or else one word is a prefix of — and
// "" when nothing is close: a wrong guess is worse than none.
func didYouMean(word string, candidates []string, prefix string) string {
	best, bestD := "", 3
	lw := strings.ToLower(word)
	for _, c := range candidates {
		d := levenshtein(lw, strings.ToLower(c))
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

// levenshtein is the edit distance between a and b, counted in runes.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
