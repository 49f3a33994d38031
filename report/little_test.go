package report

import (
	"testing"

	"cascade/models"
)

// Little's law far off because calls never finish reads "calls stuck";
// far off for any other reason, or close, it stays a number.
func TestLittleColumnSaysCallsStuck(t *testing.T) {
	off := models.ServiceResult{Name: "api", Little: models.Little{L: 24, LambdaW: 0.1}}
	near := models.ServiceResult{Name: "api", Little: models.Little{L: 1.01, LambdaW: 1}}
	hung := []models.CallResult{{Caller: "api", Target: "db", Hung: models.Hung{Calls: 24, Oldest: 1e9}}}
	other := []models.CallResult{{Caller: "x", Target: "y", Hung: models.Hung{Calls: 3}}}
	for _, tc := range []struct {
		name  string
		s     models.ServiceResult
		calls []models.CallResult
		want  string
	}{
		{"far off, hung", off, hung, "calls stuck"},
		{"far off, hung elsewhere", off, other, "23900.0%"},
		{"near, hung", near, hung, "1.0%"},
	} {
		if got := little(tc.s, tc.calls); got != tc.want {
			t.Errorf("%s: little = %q, want %q", tc.name, got, tc.want)
		}
	}
}
