package scenarios

import (
	"strings"
	"unicode/utf8"
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
		if d := editDistance(lw, strings.ToLower(c)); d < bestD && d < max(n, utf8.RuneCountInString(c)) {
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

// editDistance is the Levenshtein distance between a and b, counted in runes,
// with a swap of two adjacent runes counting as one edit (optimal string
// alignment). Long inputs are not compared: nothing that long is a typo.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 1 << 20
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
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
