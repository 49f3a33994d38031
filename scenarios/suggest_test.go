package scenarios

import (
	"testing"

	"cascade/scenarios/units"
)

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"", "abc", 3}, {"kitten", "sitting", 3},
		{"rtae", "rate", 1}, {"ab", "ba", 1}, {"µs", "us", 1}, {"paymnts", "payments", 1},
	}
	for _, tt := range tests {
		if got := units.EditDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	fields := []string{"to", "rate", "arrivals", "requests", "timeout", "users", "think"}
	tests := []struct {
		word  string
		cands []string
		want  string
	}{
		{"rtae", fields, "rate"},
		{"arival", fields, "arrivals"},
		{"timeot", fields, "timeout"},
		{"Rate", fields, "rate"},
		{"user", fields, "users"},
		{"xyz", fields, ""},
		{"oops", []string{"cos", "sin"}, ""},
		{"tt", []string{"t", "pi"}, "t"},
		{"x", []string{"db"}, ""},
		{"serv", []string{"seed", "services"}, "services"},
		{"paymnts", []string{"api", "payments", "db"}, "payments"},
		{"rate", fields, ""}, // exact matches are not suggestions
		{"round-robin", []string{"round_robin", "random"}, "round_robin"},
	}
	for _, tt := range tests {
		if got := suggest(tt.word, tt.cands); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

func TestHintFor(t *testing.T) {
	if got, want := hintFor("paymnts", []string{"api", "payments"}, "known"), `did you mean "payments"? known: api, payments`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := hintFor("zzz", []string{"api"}, "known"), `known: api`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := hintFor("zzz", nil, "known"), `none are defined`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
