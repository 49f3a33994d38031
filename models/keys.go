package models

import (
	"fmt"
	"math"
	"sort"

	"cascade/sim"
)

// KeyKind says how a workload picks the key each request is for: the item
// a cache, a replica's staleness check or a per-key fault looks at. The
// key travels with the request into every call made on its behalf.
type KeyKind int

const (
	// KeysDefault: an open-loop request gets a random key from a space too
	// large to repeat; a closed-loop user keeps its own key (its identity).
	KeysDefault KeyKind = iota
	// KeysUniform: N keys, equally likely.
	KeysUniform
	// KeysZipf: N keys, key k (0-based) with probability ∝ 1/(k+1)^S.
	KeysZipf
	// KeysHot: key 0 takes Share of the requests, the rest spread
	// uniformly over the other N-1.
	KeysHot
)

// KeySpec is a workload's key popularity.
type KeySpec struct {
	Kind  KeyKind
	N     int     // number of keys, >= 1 (KeysDefault: unused)
	S     float64 // KeysZipf exponent, >= 0
	Share float64 // KeysHot: share of the hot key, in [0, 1]
}

func (k KeySpec) String() string {
	switch k.Kind {
	case KeysUniform:
		return fmt.Sprintf("uniform(n=%d)", k.N)
	case KeysZipf:
		return fmt.Sprintf("zipf(s=%g, n=%d)", k.S, k.N)
	case KeysHot:
		return fmt.Sprintf("hot(share=%g%%, n=%d)", 100*k.Share, k.N)
	}
	return "default"
}

// Probabilities are the keys' popularities, most popular first: what the
// theory (Che's approximation for an LRU cache) needs.
func (k KeySpec) Probabilities() []float64 {
	p := make([]float64, k.N)
	switch k.Kind {
	case KeysUniform:
		for i := range p {
			p[i] = 1 / float64(k.N)
		}
	case KeysZipf:
		var sum float64
		for i := range p {
			p[i] = math.Pow(float64(i+1), -k.S)
			sum += p[i]
		}
		for i := range p {
			p[i] /= sum
		}
	case KeysHot:
		p[0] = k.Share
		if k.N == 1 {
			p[0] = 1
		}
		for i := 1; i < k.N; i++ {
			p[i] = (1 - k.Share) / float64(k.N-1)
		}
	}
	return p
}

// maxKeys bounds N: a Zipf table of this many keys takes 8 MB.
const maxKeys = 1 << 20

// keySampler draws keys for one workload. Zipf draws invert a cumulative
// table by binary search: exact for any exponent (math/rand's Zipf needs
// s > 1, and the interesting caches have s near 1), O(log N) per draw.
type keySampler struct {
	spec KeySpec
	cdf  []float64
	// hot is a hot_key fault's override: with probability hotShare the key
	// is hotKey.
	hotShare float64
	hotKey   uint32
}

func newKeySampler(k KeySpec) (*keySampler, error) {
	s := &keySampler{spec: k}
	switch k.Kind {
	case KeysDefault:
		return s, nil
	case KeysUniform, KeysZipf, KeysHot:
		if k.N < 1 || k.N > maxKeys {
			return nil, fmt.Errorf("keys: n must be between 1 and %d, got %d", maxKeys, k.N)
		}
	default:
		return nil, fmt.Errorf("keys: unknown kind %d", k.Kind)
	}
	if k.Kind == KeysZipf {
		if !(k.S >= 0) || math.IsInf(k.S, 0) {
			return nil, fmt.Errorf("keys: zipf exponent must be >= 0")
		}
		p := k.Probabilities()
		s.cdf = make([]float64, k.N)
		var c float64
		for i, x := range p {
			c += x
			s.cdf[i] = c
		}
		s.cdf[k.N-1] = 1
	}
	if k.Kind == KeysHot && !(k.Share >= 0 && k.Share <= 1) {
		return nil, fmt.Errorf("keys: hot share must be in [0, 1]")
	}
	return s, nil
}

// draw picks a key; ok is false for KeysDefault (the caller keeps its own).
func (s *keySampler) draw(r *sim.Rand) (key uint32, ok bool) {
	if s.hotShare > 0 && r.Float64() < s.hotShare {
		return s.hotKey, true
	}
	switch s.spec.Kind {
	case KeysUniform:
		return uint32(r.IntN(s.spec.N)), true
	case KeysZipf:
		u := r.Float64()
		return uint32(sort.SearchFloat64s(s.cdf, u)), true
	case KeysHot:
		if s.spec.N == 1 || r.Float64() < s.spec.Share {
			return 0, true
		}
		return uint32(1 + r.IntN(s.spec.N-1)), true
	}
	return 0, false
}

// mixKey spreads a key over the 32-bit space (the murmur3 finaliser, a
// bijection), so "a fraction of the key space" means a fraction of the keys
// whether they are small indices or random numbers.
func mixKey(k uint32) uint32 {
	k ^= k >> 16
	k *= 0x85ebca6b
	k ^= k >> 13
	k *= 0xc2b2ae35
	k ^= k >> 16
	return k
}
