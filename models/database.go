package models

import (
	"fmt"
	"math"
	"slices"

	"cascade/models/policy"
	"cascade/sim"
	"cascade/sim/dist"
)

// Replication says when a primary answers a write.
type Replication int

const (
	// Async: after the local commit; replicas catch up on their own.
	Async Replication = iota
	// SemiSync: once at least one replica has received the write (MySQL
	// semi-synchronous replication).
	SemiSync
	// Sync: once every replica has applied it (PostgreSQL
	// synchronous_commit = remote_apply).
	Sync
)

func (r Replication) String() string {
	switch r {
	case SemiSync:
		return "semi_sync"
	case Sync:
		return "sync"
	}
	return "async"
}

// ReadRouting says where a database sends reads.
type ReadRouting int

const (
	ReadPrimary  ReadRouting = iota // every read on the primary
	ReadReplicas                    // reads spread over the replicas (primary if none is up)
	// ReadBounded reads from replicas whose lag is at most MaxStaleness
	// (ProxySQL max_replication_lag, MongoDB maxStalenessSeconds), else
	// from the primary.
	ReadBounded
	// ReadYourWrites reads from a replica only when it has applied the
	// last write for the request's key (a session token): the user's own
	// writes are always visible, at the cost of reads on the primary.
	ReadYourWrites
)

func (r ReadRouting) String() string {
	switch r {
	case ReadReplicas:
		return "replicas"
	case ReadBounded:
		return "bounded"
	case ReadYourWrites:
		return "read_your_writes"
	}
	return "primary"
}

// DatabaseSpec makes a service a database: instance 0 is the primary and
// the others its replicas (Instances = 1 + replicas). Operations named in
// Writes are writes, every other one is a read.
type DatabaseSpec struct {
	Writes       []string
	Replication  Replication
	Delay        dist.Dist // shipping a write to a replica; nil = instant
	ApplyTime    dist.Dist // a replica applying one write, one at a time; nil = instant
	ReadFrom     ReadRouting
	MaxStaleness sim.Time // ReadBounded
	Promotion    sim.Time // failover: time to promote a replica; writes fail meanwhile
	// Optimistic makes writes compare-and-set on their key's row: a write
	// reads the row's version when it starts on the primary and commits
	// only if no write to that key committed since, else it ends in a
	// conflict (an error its caller may retry). See policy.Versions.
	Optimistic bool
}

// shipped is one committed write on its way to, or waiting at, a replica.
// stream is the replica's replication connection it was sent on: a crash
// or a failover opens a new one, and what the old one still carried is
// dropped (the replica re-fetches from where it is).
type shipped struct {
	lsn    uint64
	commit sim.Time
	stream uint32
}

// replica is one replica's replication state.
type replica struct {
	db       *database
	in       *instance
	bit      uint64 // its bit in the masks of writes waiting for acks
	received uint64
	applied  uint64
	queue    []shipped // received, not yet applied
	applying bool
	stream   uint32   // the current replication connection
	lastAt   sim.Time // when the last write sent on it arrives: one stream, in order
	stopped  int      // replica_lag stop faults holding it
	extra    sim.Time // replica_lag faults' added delay
	gone     bool     // promoted to primary
	lagSum   float64  // seconds·ticks, for the mean lag
	lagMax   float64
	lagN     int64
}

// database is a database service's replication state.
type database struct {
	s         *Service
	spec      DatabaseSpec
	writes    []bool // by op index
	primary   int    // instance index
	replicas  []*replica
	liveBuf   []*replica        // live's result
	lsn       uint64            // last committed write
	commitAt  []sim.Time        // commit instants of unapplied writes, by lsn - base
	lastWrite map[uint32]uint64 // key -> lsn of its last write
	rng       *sim.Rand
	rr        int
	promoting bool
	acks      map[*call]uint64 // semi-sync/sync writes waiting: the replicas that have not acked
	pruneAt   int              // lastWrite size that triggers forgetting applied writes
	writeLat  *sim.Histogram   // a write's time from arrival to its answer, acks included
	outboxes  []*queue         // the topics its writes carried outbox rows for
	failed    []uint64         // LSNs of writes a primary crash failed before they were acked
	promoteAt sim.Time         // when the promotion in progress ends
	rows      *policy.Versions // Optimistic: the rows' versions
	rowsAt    int              // rows size that triggers pruneRows

	DatabaseStats
}

// DatabaseStats are a database's counters since the end of warm-up.
type DatabaseStats struct {
	Writes, Reads    int64
	ReplicaReads     int64 // reads served by a replica
	StaleReads       int64 // ... that missed a write already committed for their key
	Redirected       int64 // reads the routing sent to the primary instead of a replica
	LostWrites       int64 // committed on a primary that died before replicas had them
	Failovers        int64
	RefusedNoPrimary int64 // writes during a promotion
	// Conflicts are optimistic writes that found their row committed by
	// another write since they read it: each did its work and failed.
	Conflicts int64
}

func newDatabase(s *Service, spec DatabaseSpec, rng *sim.Rand) (*database, error) {
	d := &database{s: s, spec: spec, lastWrite: map[uint32]uint64{}, rng: rng, acks: map[*call]uint64{}, pruneAt: 1 << 12, writeLat: sim.NewHistogram(3)}
	for _, o := range s.ops {
		w := false
		for _, n := range spec.Writes {
			w = w || n == o.name
		}
		d.writes = append(d.writes, w)
	}
	for _, n := range spec.Writes {
		if s.op(n) == nil || n == "" {
			return nil, fmt.Errorf("database %q: no operation %q to treat as a write", s.spec.Name, n)
		}
	}
	if len(s.insts) > 65 {
		return nil, fmt.Errorf("database %q: at most 64 replicas (%d instances)", s.spec.Name, len(s.insts))
	}
	if spec.Optimistic {
		d.rows, d.rowsAt = policy.NewVersions(), 1<<12
	}
	for i, in := range s.insts[1:] {
		d.replicas = append(d.replicas, &replica{db: d, in: in, bit: 1 << i})
	}
	return d, nil
}

func (d *database) isWrite(o *op) bool {
	for i, x := range d.s.ops {
		if x == o {
			return d.writes[i]
		}
	}
	return false
}

// countFor counts what route decided for c, unless c was counted already:
// a call a leaky-queue limiter delayed is routed again when let in.
func (d *database) countFor(c *call, f *int64) {
	if !c.limited {
		d.count(f)
	}
}

func (d *database) count(f *int64) {
	if d.s.m.measuring() {
		*f++
	}
}

// route chooses the instance for c: writes to the primary, reads by the
// routing policy. ok is false when no instance can take it (a write during
// a promotion).
func (d *database) route(c *call) (*instance, bool) {
	s := d.s
	now := s.m.eng.Now()
	if d.isWrite(c.op) {
		d.countFor(c, &d.Writes)
		if d.promoting {
			d.countFor(c, &d.RefusedNoPrimary)
			return s.insts[d.primary], false
		}
		return s.insts[d.primary], true
	}
	d.countFor(c, &d.Reads)
	primary := s.insts[d.primary]
	var live []*replica
	if d.spec.ReadFrom != ReadPrimary {
		live = d.live()
	}
	if len(live) == 0 {
		return primary, !d.promoting
	}
	r := live[d.rr%len(live)]
	d.rr++
	switch d.spec.ReadFrom {
	case ReadBounded:
		if d.lag(r, now) > d.spec.MaxStaleness {
			if d.promoting {
				return primary, false
			}
			d.countFor(c, &d.Redirected)
			return primary, true
		}
	case ReadYourWrites:
		if r.applied < d.lastWrite[c.key] {
			if d.promoting {
				return primary, false
			}
			d.countFor(c, &d.Redirected)
			return primary, true
		}
	}
	d.countFor(c, &d.ReplicaReads)
	if r.applied < d.lastWrite[c.key] {
		d.countFor(c, &d.StaleReads)
	}
	return r.in, true
}

// live are the replicas still replicating (not promoted, not down), in a
// buffer the next call reuses: it runs on every read and write.
func (d *database) live() []*replica {
	out := d.liveBuf[:0]
	for _, r := range d.replicas {
		if !r.gone && r.in.down == 0 {
			out = append(out, r)
		}
	}
	d.liveBuf = out
	return out
}

// lag is how far behind a replica is: the age of the oldest committed
// write it has not applied.
func (d *database) lag(r *replica, now sim.Time) sim.Time {
	if r.applied >= d.lsn {
		return 0
	}
	return now - d.commitTime(r.applied+1)
}

// commitTime of write lsn. Commit instants are kept from the oldest write
// some replica still lacks.
func (d *database) commitTime(lsn uint64) sim.Time {
	base := d.lsn - uint64(len(d.commitAt)) + 1
	if lsn < base || lsn > d.lsn {
		return d.s.m.eng.Now()
	}
	return d.commitAt[lsn-base]
}

// committed is a write finishing on the primary: give it an LSN, ship it
// to every replica, and hold the reply for semi-sync/sync acks.
func (d *database) committed(c *call) (hold bool) {
	m := d.s.m
	now := m.eng.Now()
	d.lsn++
	d.commitAt = append(d.commitAt, now)
	d.lastWrite[c.key] = d.lsn
	if q := c.outbox; q != nil {
		q.toOutbox(c.key, d, d.lsn) // same transaction as the write
		if !slices.Contains(d.outboxes, q) {
			d.outboxes = append(d.outboxes, q)
		}
	}
	var need uint64
	for _, r := range d.live() {
		d.ship(r, d.lsn, now, now)
		need |= r.bit
	}
	d.trim()
	if d.spec.Replication != Async && need != 0 {
		d.acks[c] = need
		c.ackLSN = d.lsn
		return true
	}
	d.answered(c, now)
	return false
}

// conflict is an optimistic write finishing on the primary: it commits
// its row's new version unless a write to the same key committed since it
// started. A conflict does its work for nothing and fails.
func (d *database) conflict(c *call) bool {
	if d.rows == nil || !d.isWrite(c.op) || d.rows.Commit(c.key, c.snap) {
		return false
	}
	d.count(&d.Conflicts)
	return true
}

// pruneRows forgets the versions no write still running on the primary
// can conflict on, once the table has grown past rowsAt rows.
func (d *database) pruneRows() {
	if d.rows == nil || d.rows.Rows() <= d.rowsAt {
		return
	}
	oldest := d.rows.Read()
	for _, c := range d.s.insts[d.primary].running {
		oldest = min(oldest, c.snap)
	}
	d.rows.Prune(oldest)
	d.rowsAt = max(1<<12, 2*d.rows.Rows())
}

// answered records a write's latency as its client sees it from the
// database: the commit plus the wait for the replicas the mode needs.
func (d *database) answered(c *call, now sim.Time) {
	if d.s.m.measuring() {
		d.writeLat.Record(now - c.arrived)
	}
}

// ship sends write lsn to r, from the instant from on. A replica streams
// the log: writes arrive in commit order, so a slow one holds back those
// behind it (a shorter sampled delay cannot overtake).
func (d *database) ship(r *replica, lsn uint64, commit, from sim.Time) {
	delay := r.extra
	if d.spec.Delay != nil {
		delay += d.spec.Delay.Sample(d.rng)
	}
	at := max(from+delay, r.lastAt)
	r.lastAt = at
	d.s.m.eng.At(at, (*arrive)(r), shipped{lsn: lsn, commit: commit, stream: r.stream})
}

// catchUp streams r what it lacks of the log, from the instant from on: a
// replica back from a crash, or following a new primary.
func (d *database) catchUp(r *replica, from sim.Time) {
	for lsn := r.received + 1; lsn <= d.lsn; lsn++ {
		d.ship(r, lsn, d.commitTime(lsn), from)
	}
}

// crashed is an instance of the database going down. The primary's
// writes waiting for acks fail: the connection is gone and the client
// was never told yes. A replica's stream breaks: what was on its way is
// lost, and it re-fetches from where it is when it comes back.
//
// A write waiting for a replica that crashed waits no longer for it: the
// replicas a write needs are those up (see committed), so with the last
// of them gone it is answered, as semi-sync falls back to async once no
// replica is there to ack.
func (d *database) crashed(in *instance) {
	if in.idx == d.primary {
		waiting := make([]*call, 0, len(d.acks))
		for c := range d.acks { // collected, then answered in LSN order
			waiting = append(waiting, c)
			d.failed = append(d.failed, c.ackLSN) // never acknowledged, whatever failover finds
		}
		sortCallsByLSN(waiting)
		clear(d.acks)
		for _, c := range waiting {
			c.respond(Error)
		}
		return
	}
	r := d.replicaOf(in)
	if r == nil {
		return
	}
	r.stream++
	r.lastAt = 0
	d.release(r, d.lsn, false)
}

// up is an instance of the database back from a crash: a replica catches up.
func (d *database) up(in *instance, now sim.Time) {
	if r := d.replicaOf(in); r != nil && !r.gone {
		from := now
		if d.promoting {
			from = max(now, d.promoteAt) // the new primary streams once promoted
		}
		d.catchUp(r, from)
		r.next()
	}
}

func (d *database) replicaOf(in *instance) *replica {
	for _, r := range d.replicas {
		if r.in == in {
			return r
		}
	}
	return nil
}

// trim forgets commit instants every replica has applied.
func (d *database) trim() {
	least := d.lsn
	for _, r := range d.replicas {
		if !r.gone && r.applied < least {
			least = r.applied
		}
	}
	base := d.lsn - uint64(len(d.commitAt)) + 1
	if drop := least + 1 - base; least+1 > base && drop <= uint64(len(d.commitAt)) {
		n := copy(d.commitAt, d.commitAt[drop:])
		d.commitAt = d.commitAt[:n]
	}
}

// ack is replica r having received (semi-sync) or applied (sync) every
// write up to lsn. Semi-sync answers a write at its first replica's ack,
// sync once every replica it was shipped to has acked.
func (d *database) ack(r *replica, lsn uint64, applied bool) {
	if (d.spec.Replication == SemiSync) != applied {
		d.release(r, lsn, d.spec.Replication == SemiSync)
	}
}

// release stops the writes up to lsn waiting for r, and answers those that
// wait for no replica now (single: every one r released, as semi-sync needs
// a single ack).
func (d *database) release(r *replica, lsn uint64, single bool) {
	if len(d.acks) == 0 {
		return
	}
	var done []*call
	for c, need := range d.acks { // order does not matter: each is answered below in LSN order
		if c.ackLSN <= lsn && need&r.bit != 0 {
			if need &^= r.bit; need == 0 || single {
				done = append(done, c)
			} else {
				d.acks[c] = need
			}
		}
	}
	sortCallsByLSN(done)
	now := d.s.m.eng.Now()
	for _, c := range done {
		delete(d.acks, c)
		d.answered(c, now)
		d.s.acked(c)
	}
}

func sortCallsByLSN(cs []*call) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].ackLSN < cs[j-1].ackLSN; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

// arrive is a write reaching a replica.
type arrive replica

func (a *arrive) Fire(arg any) {
	r := (*replica)(a)
	w := arg.(shipped)
	if r.gone || w.stream != r.stream || w.lsn != r.received+1 {
		return // sent on a stream that broke since, or not next in the log
	}
	r.received = w.lsn
	r.queue = append(r.queue, w)
	r.db.ack(r, w.lsn, false)
	r.next()
}

// next applies the next received write, one at a time.
func (r *replica) next() {
	if r.applying || r.stopped > 0 || len(r.queue) == 0 || r.gone || r.in.down > 0 {
		return
	}
	r.applying = true
	var d sim.Time
	if r.db.spec.ApplyTime != nil {
		d = r.db.spec.ApplyTime.Sample(r.db.rng)
	}
	r.db.s.m.eng.After(d, (*applied)(r), nil)
}

// applied is a replica finishing one write.
type applied replica

func (a *applied) Fire(any) {
	r := (*replica)(a)
	r.applying = false
	if r.gone || len(r.queue) == 0 || r.in.down > 0 {
		return // a crash stopped it; up resumes it
	}
	w := r.queue[0]
	r.queue = r.queue[1:]
	r.applied = w.lsn
	r.db.ack(r, w.lsn, true)
	r.db.trim()
	r.next()
}

// tick samples every replica's lag once per series interval, and forgets
// the last writes of keys every replica has applied: no read can miss them,
// and a large key space would otherwise grow the map without end.
func (d *database) tick(now sim.Time) {
	d.pruneRows()
	if len(d.lastWrite) > d.pruneAt {
		least := d.lsn
		for _, r := range d.replicas {
			if !r.gone {
				least = min(least, r.applied)
			}
		}
		for k, l := range d.lastWrite { // deletions only: order does not matter
			if l <= least {
				delete(d.lastWrite, k)
			}
		}
		d.pruneAt = max(1<<12, 2*len(d.lastWrite))
	}
	for _, r := range d.replicas {
		if r.gone {
			continue
		}
		l := d.lag(r, now).Seconds()
		r.lagSum += l
		r.lagMax = math.Max(r.lagMax, l)
		r.lagN++
	}
}

// failover kills the primary and promotes the replica that received the
// most; writes it never received are lost. After Promotion it takes writes.
func (d *database) failover(now sim.Time) error {
	var best *replica
	for _, r := range d.live() {
		if best == nil || r.received > best.received {
			best = r
		}
	}
	if best == nil {
		return fmt.Errorf("failover: %q has no replica to promote", d.s.spec.Name)
	}
	d.count(&d.Failovers)
	// Writes the dead primary committed but had not answered (waiting for
	// acks) fail with it, now or at an earlier crash (see crashed): they
	// were never acknowledged, so they are not lost writes.
	d.s.crash(d.s.insts[d.primary], now)
	unacked := int64(0)
	for _, lsn := range d.failed {
		if lsn > best.received {
			unacked++
		}
	}
	d.failed = d.failed[:0]
	if lost := d.lsn - best.received; lost > 0 {
		// Lost writes are the acknowledged ones: the clients were told
		// they were saved, and they are gone.
		if d.s.m.measuring() {
			d.LostWrites += int64(lost) - unacked
		}
		for k, l := range d.lastWrite { // deletions only: order does not matter
			if l > best.received {
				delete(d.lastWrite, k)
			}
		}
		// Commit instants are kept from the oldest write a replica lacks,
		// which is at most best.received + 1.
		if base := d.lsn - uint64(len(d.commitAt)) + 1; best.received+1 >= base {
			d.commitAt = d.commitAt[:best.received+1-base]
		} else {
			d.commitAt = d.commitAt[:0]
		}
		d.lsn = best.received
		for _, q := range d.outboxes {
			q.dropLost(d, d.lsn)
		}
	}
	// The promoted replica applies what it has, then is the primary.
	best.gone = true
	best.applied = best.received
	best.queue = nil
	d.primary = best.in.idx
	d.promoting = true
	d.promoteAt = now + d.spec.Promotion
	d.s.m.eng.After(d.spec.Promotion, (*promoted)(d), nil)
	// Every other replica now follows the new primary from where it is, on
	// a new stream once the promotion is done; a log beyond the new
	// primary's (a replica down when it was chosen) is rewound.
	for _, r := range d.replicas {
		if r.gone {
			continue
		}
		r.stream++
		r.lastAt = 0
		r.received = min(r.received, d.lsn)
		r.applied = min(r.applied, d.lsn)
		for len(r.queue) > 0 && r.queue[len(r.queue)-1].lsn > d.lsn {
			r.queue = r.queue[:len(r.queue)-1]
		}
		if r.in.down == 0 {
			d.catchUp(r, now+d.spec.Promotion)
		}
	}
	return nil
}

type promoted database

func (p *promoted) Fire(any) { (*database)(p).promoting = false }

// DatabaseResult is a database's replication state and counters.
type DatabaseResult struct {
	DatabaseStats
	Primary     int // instance index of the primary now
	Replication string
	ReadFrom    string
	Optimistic  bool // writes compare-and-set their row: Conflicts counts the losers
	Replicas    []ReplicaResult
	// Write latency from arrival to answer, seconds (NaN without writes):
	// semi-sync and sync include the wait for replicas.
	WriteMean, WriteP50, WriteP99 float64
}

// ReplicaResult is one replica's lag.
type ReplicaResult struct {
	Instance int
	Promoted bool
	Lag      float64 // seconds, now
	MeanLag  float64 // seconds, over the series intervals
	MaxLag   float64
	Applied  uint64
	Behind   uint64 // committed writes not applied
}

func (d *database) result(now sim.Time) *DatabaseResult {
	r := &DatabaseResult{DatabaseStats: d.DatabaseStats, Primary: d.primary,
		Replication: d.spec.Replication.String(), ReadFrom: d.spec.ReadFrom.String(), Optimistic: d.rows != nil,
		WriteMean: math.NaN(), WriteP50: math.NaN(), WriteP99: math.NaN()}
	if d.writeLat.Count() > 0 {
		r.WriteMean, r.WriteP50, r.WriteP99 = d.writeLat.Mean(), d.writeLat.Quantile(0.5), d.writeLat.Quantile(0.99)
	}
	for _, x := range d.replicas {
		rr := ReplicaResult{Instance: x.in.idx, Promoted: x.gone, Applied: x.applied, MeanLag: math.NaN(), MaxLag: x.lagMax}
		if !x.gone {
			rr.Lag = d.lag(x, now).Seconds()
			if d.lsn > x.applied {
				rr.Behind = d.lsn - x.applied
			}
		}
		if x.lagN > 0 {
			rr.MeanLag = x.lagSum / float64(x.lagN)
		}
		r.Replicas = append(r.Replicas, rr)
	}
	return r
}

func (d *database) restart() {
	fo := d.Failovers
	d.DatabaseStats = DatabaseStats{Failovers: fo}
	d.writeLat.Reset()
	for _, r := range d.replicas {
		r.lagSum, r.lagMax, r.lagN = 0, 0, 0
	}
}
