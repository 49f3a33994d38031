package sim

import "math/rand/v2"

// Rand is a random stream. It is math/rand/v2's generator over a PCG source,
// so gonum's distuv types can draw from it directly.
type Rand = rand.Rand

// NewStream returns the stream called name under seed. The stream's state is
// a hash of (seed, name) and nothing else, so adding or removing a component
// never changes another component's draws: that is what makes A/B comparisons
// under common random numbers and stable replays possible.
func NewStream(seed uint64, name string) *Rand {
	h := fnv64(name)
	return rand.New(rand.NewPCG(splitmix(seed^h), splitmix(h+0x9e3779b97f4a7c15)))
}

// fnv64 is FNV-1a over the bytes of s.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// splitmix scrambles x (SplitMix64 finaliser) so nearby seeds give unrelated
// PCG states.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
