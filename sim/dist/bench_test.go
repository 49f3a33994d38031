package dist

import (
	"testing"

	"cascade/sim"
)

// BenchmarkSample measures one draw through the Dist interface, as models
// make it. Every case must report 0 allocs/op.
func BenchmarkSample(b *testing.B) {
	for _, tc := range cases(b) {
		b.Run(tc.name, func(b *testing.B) {
			r := sim.NewStream(1, "bench")
			d := tc.d
			var sum sim.Time
			b.ReportAllocs()
			for b.Loop() {
				sum += d.Sample(r)
			}
			if sum < 0 {
				b.Fatal("negative draws")
			}
		})
	}
}
