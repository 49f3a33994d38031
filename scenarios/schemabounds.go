package scenarios

// The schema's minimum and maximum come from the range table, its one
// source: an editor flags the same out-of-range values the loader rejects.
func init() {
	SchemaBounds = func(block, key string) (Bounds, bool) {
		r, ok := rangeOf(block + "." + key)
		if !ok {
			return Bounds{}, false
		}
		return Bounds{Min: r.Min, Max: r.Max, MinOpen: r.MinOpen, MaxOpen: r.MaxOpen}, true
	}
}
