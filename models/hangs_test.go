package models

import (
	"testing"

	"cascade/sim"
)

func TestHangsBuckets(t *testing.T) {
	s := sim.Second
	type op struct {
		add    bool
		at     sim.Time
		now    sim.Time // when checked after the op; 0 = no check
		calls  int64
		oldest sim.Time
	}
	for _, tc := range []struct {
		name string
		ops  []op
	}{
		{"young calls are not hung", []op{{add: true, at: 0}, {add: true, at: s / 2, now: s / 2}}},
		{"hung from HungAfter on", []op{{add: true, at: 0, now: s, calls: 1, oldest: s}}},
		{"the oldest is the first still out", []op{
			{add: true, at: 0}, {add: true, at: 0}, {add: true, at: 2 * s},
			{add: false, at: 0, now: 5 * s, calls: 2, oldest: 5 * s},
			{add: false, at: 0, now: 5 * s, calls: 1, oldest: 3 * s},
			{add: false, at: 2 * s, now: 9 * s}}},
		{"a reply for an untracked send changes nothing", []op{
			{add: true, at: 3 * s}, {add: false, at: s, now: 10 * s, calls: 1, oldest: 7 * s}}},
		{"tracking restarts after draining", []op{
			{add: true, at: s}, {add: false, at: s}, {add: true, at: 4 * s, now: 6 * s, calls: 1, oldest: 2 * s}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h hangs
			for i, o := range tc.ops {
				if o.add {
					h.add(o.at)
				} else {
					h.remove(o.at)
				}
				if o.now == 0 {
					continue
				}
				if got := h.hung(o.now); got.Calls != o.calls || got.Oldest != o.oldest {
					t.Errorf("op %d: hung at %v = %+v, want %d calls, oldest %v", i, o.now, got, o.calls, o.oldest)
				}
			}
		})
	}
}

// Many sends and replies keep the counters compact: memory follows the
// span of the calls still out, not the calls ever sent.
func TestHangsCompact(t *testing.T) {
	var h hangs
	for i := range 100_000 {
		at := sim.Time(i) * sim.Millisecond
		h.add(at)
		if i >= 10 {
			h.remove(at - 10*sim.Millisecond)
		}
	}
	var out int64
	for _, n := range h.n[h.head:] {
		out += n
	}
	if out != 10 {
		t.Errorf("%d calls out, want 10", out)
	}
	// The 10 calls out span 10 ms, at most two grains; compaction (at
	// more than 64 empty grains, half the slice) bounds the slice at
	// about 130 grains, so its capacity stays within one doubling of that.
	if live := len(h.n) - h.head; live > 2 {
		t.Errorf("%d grains live, want at most 2", live)
	}
	if cap(h.n) > 256 {
		t.Errorf("capacity %d: the counters are not compacted", cap(h.n))
	}
}

// A partition between api and db with no timeout anywhere leaves calls out
// for ever, and the result says so on each pair that waits: a timeout on the
// workload frees the client but not api, whose call to db has none; a
// timeout on that call frees both.
func TestPartitionWithoutTimeoutsHangsCalls(t *testing.T) {
	s := sim.Second
	for _, tc := range []struct {
		name            string
		client, call    sim.Time
		clientHung, api bool
	}{
		{"no timeouts", 0, 0, true, true},
		{"client timeout", 500 * sim.Millisecond, 0, false, true},
		{"both", 500 * sim.Millisecond, 200 * sim.Millisecond, false, false},
	} {
		topo := steady(t, 100, tc.client)
		topo.Services[0].Ops[0].Steps[1].Timeout = tc.call
		topo.Faults = []Fault{{Verb: FaultPartition, Target: Target{Groups: [2][]string{{"api"}, {"db"}}}, Start: 10 * s, Duration: 10 * s}}
		r := run(t, topo, Options{Until: 30 * s})
		for _, c := range r.Calls {
			want := tc.api
			if c.Caller == "client" {
				want = tc.clientHung
			}
			switch {
			case !want && c.Hung.Calls != 0:
				t.Errorf("%s: %s->%s has %+v hung, want none", tc.name, c.Caller, c.Target, c.Hung)
			case want && c.Hung.Calls != 1000:
				// 10 s of partition at 100/s: every call sent into it is lost.
				t.Errorf("%s: %s->%s has %d hung, want 1000", tc.name, c.Caller, c.Target, c.Hung.Calls)
			case want && (c.Hung.Oldest < 19*s || c.Hung.Oldest > 20*s):
				t.Errorf("%s: %s->%s oldest hung call %v, want about 20s (sent as the partition began)", tc.name, c.Caller, c.Target, c.Hung.Oldest)
			}
		}
	}
}
