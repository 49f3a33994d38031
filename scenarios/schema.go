package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"cascade/models"
)

// This file generates the JSON Schema of the scenario format, for editors:
// with a "# yaml-language-server: $schema=..." header, VS Code and Neovim
// complete keys and flag misspelt ones as the user types. The loader stays
// the judge of a file (positions, cross-references, units); the schema only
// has to agree with it, never be stricter. So the keys of every block come
// from the loader's own key tables (cacheKeys, retryKeys, ...), and
// TestSchemaMatchesLoader fails when the loader reads a map the schema does
// not describe or the two disagree about its keys.

// valueKind is the shape of a value as an editor can check it. Quantities
// with units (250ms, 800/s, 10%) are strings to JSON Schema; their grammar is
// the units package's, which the schema does not repeat.
type valueKind int

const (
	vText     valueKind = iota // a string
	vInt                       // a whole number
	vNumber                    // a plain number
	vDuration                  // 250ms
	vRate                      // 800/s, or an expression of t
	vProb                      // 10% or 0.1
	vPercent                   // 25%
	vFactor                    // 3x
	vBool                      // true or false
	vDist                      // 5ms, lognormal(p50=4ms, p99=40ms), {...}
	vEnum                      // one of enum
	vBlock                     // a map: the block named by ref
	vBlockOr                   // a map (ref) or a scalar shorthand (a preset name, a number, true)
	vList                      // a list of ref blocks
	vMap                       // a map of names to ref blocks
	vSteps                     // a list of steps
	vStrings                   // a list of strings, or one string
	vOps                       // a map of operation names to lists of steps
	vAny                       // anything the loader checks itself
)

// fieldDoc describes one key of a block.
type fieldDoc struct {
	kind valueKind
	doc  string
	enum []string // vEnum; vBlockOr: the words the scalar shorthand may be
	ref  string   // vBlock, vBlockOr, vList, vMap: the block's name
	// props are keys of a vMap that are not names of its entries, such as
	// slos: history:.
	props map[string]fieldDoc
}

// schemaBlock is one kind of map the loader reads. name is the block's name
// as the range table spells it ("retry" for retryKeys); docs holds the
// descriptions of its keys, also looked up in the blocks named by inherit
// (a step's retry: is a policy key).
type schemaBlock struct {
	name    string
	doc     string
	keys    []string
	inherit []string
}

// schemaBlocks lists every map of the format. Blocks whose keys are written
// inline at the loader's call (hedge, bulkhead, ...) repeat them here;
// TestSchemaMatchesLoader compares both spellings.
func schemaBlocks() []schemaBlock {
	return []schemaBlock{
		{name: "top", doc: "A cascade scenario: workloads send requests to services, which do work and call each other.", keys: topKeys},
		{name: "workload", doc: "A source of requests: open loop (rate:) or closed loop (users:).", keys: workloadKeys, inherit: []string{"policy"}},
		{name: "service", doc: "A service: instances with workers and a queue, and its operations.", keys: serviceKeys, inherit: []string{"admission"}},
		{name: "step", doc: "One step of an operation: exactly one of work, call, parallel, branch, fail, cache, publish, saga, wait.", keys: stepKeys, inherit: []string{"policy"}},
		{name: "arm", doc: "One arm of a branch: taken with probability p.", keys: armKeys},
		{name: "retry", doc: "A retry policy.", keys: retryKeys},
		{name: "budget", doc: "A retry budget: finagle, envoy, {ratio: 20%}, {tokens: 100, token_ratio: 0.1} or {concurrency: 20%}.", keys: budgetKeys},
		{name: "hedge", doc: "A hedging policy.", keys: []string{"delay", "max"}},
		{name: "breaker", doc: "A circuit breaker: a preset (resilience4j, hystrix, gobreaker) or settings.", keys: breakerKeys},
		{name: "bulkhead", doc: "A bulkhead: at most max calls in flight.", keys: []string{"max", "wait"}},
		{name: "pool", doc: "A connection pool.", keys: []string{"size", "acquire_timeout", "waiters", "setup", "max_lifetime"}},
		{name: "limiter", doc: "A rate limit.", keys: limiterKeys},
		{name: "throttle", doc: "Client-side adaptive throttling: adaptive, or settings.", keys: []string{"k", "window"}},
		{name: "shed", doc: "Load shedding at a service.", keys: shedKeys},
		{name: "codel", doc: "CoDel queue management: true, or settings.", keys: []string{"target", "interval"}},
		{name: "outlier", doc: "Outlier ejection: envoy, or settings.", keys: outlierKeys},
		{name: "cache", doc: "A cache service's settings.", keys: cacheKeys},
		{name: "database", doc: "A database service's settings: replicas and replication.", keys: databaseKeys},
		{name: "queue", doc: "A topic's settings: partitions, delivery and consumer groups.", keys: queueKeys},
		{name: "consumer", doc: "A consumer group.", keys: consumerKeys},
		{name: "action", doc: "One action of a saga and its compensation.", keys: []string{"do", "undo"}},
		{name: "fault", doc: "A fault: one verb (latency, crash, ...) with its target, at a time, for a while.", keys: append(verbNames(), faultKeys...)},
		{name: "autoscale", doc: "Target-tracking autoscaling of a service: keep the metric near target by changing the instance count.", keys: autoscaleKeys},
		{name: "bad_version", doc: "deploy: what is wrong with the new version.", keys: []string{"errors", "slow"}},
		{name: "link", doc: "A network link's settings.", keys: linkKeys},
		{name: "zones", doc: "Availability zones: their names, the latency between two of them, what crossing costs.", keys: zoneKeys},
		{name: "slo", doc: "A service level objective.", keys: sloKeys},
		{name: "rule", doc: "A burn-rate alert rule.", keys: ruleKeys},
		{name: "history", doc: "An SLO's history before the start, with part of the budget already spent.", keys: historyKeys},
		{name: "lesson", doc: "A guided lesson: ordered steps an instructor walks through (docs/lessons.md).", keys: lessonKeys},
		{name: "lesson_step", doc: "One step of a lesson: text, an optional action, wait and check.", keys: lessonStepKeys},
		{name: "lesson_rate", doc: "A lesson step's rate change: the workload and its new rate or a factor.", keys: lessonRateKeys},
	}
}

// fieldDocs describes each key as "block.key". Every key of every block
// must have an entry; Schema fails otherwise, and so does its test.
var fieldDocs = map[string]fieldDoc{
	"top.name":        {kind: vText, doc: "Name shown in reports; defaults to the file name."},
	"top.description": {kind: vText, doc: "One line of text saying what the scenario shows."},
	"top.seed":        {kind: vInt, doc: "Seed of every random stream; the same seed gives the same run."},
	"top.duration":    {kind: vDuration, doc: "Simulated length of the run, e.g. 10m. Leave out to run until every workload's requests: are sent."},
	"top.warmup":      {kind: vDuration, doc: "Simulated time at the start left out of the statistics."},
	"top.workloads":   {kind: vMap, ref: "workload", doc: "Sources of requests, by name."},
	"top.services":    {kind: vMap, ref: "service", doc: "Services, by name."},
	"top.links":       {kind: vAny, doc: `Network latency between services: "from->to": a distribution, or {latency: ...}.`},
	"top.zones":       {kind: vBlock, ref: "zones", doc: "Availability zones services place their instances in; calls between zones pay latency and cost."},
	"top.faults":      {kind: vList, ref: "fault", doc: "Faults injected during the run."},
	"top.slos": {kind: vMap, ref: "slo", doc: "Service level objectives, by name; history: sets the history of every SLO that gives none.",
		props: map[string]fieldDoc{sloHistoryKey: historyDoc}},
	"top.expect":   {kind: vAny, doc: `Expressions that must hold at the end of the run, e.g. - slo("availability").budget_remaining > 0.5.`},
	"top.variants": {kind: vAny, doc: "Named what-ifs: each maps dotted paths to the values that replace them."},
	"top.lesson":   {kind: vBlock, ref: "lesson", doc: "A guided lesson on this scenario: steps for cascade tui --lesson and cascade run --lesson."},

	"lesson.title":         {kind: vText, doc: "Title of the lesson; defaults to the scenario's name."},
	"lesson.story":         {kind: vText, doc: "One line for cascade lessons; defaults to the description."},
	"lesson.source":        {kind: vText, doc: "The post-mortem or published result the lesson is modelled on."},
	"lesson.steps":         {kind: vList, ref: "lesson_step", doc: "The steps, in order."},
	"lesson_step.text":     {kind: vText, doc: "What to watch in this step."},
	"lesson_step.ask":      {kind: vText, doc: "A question for the room; the session pauses on it when the step's wait ends."},
	"lesson_step.inject":   {kind: vBlock, ref: "fault", doc: "Action: inject this fault when the step starts (no at: or when:)."},
	"lesson_step.variant":  {kind: vText, doc: "Action: replay from 0 with this variant (same seed, the lesson's earlier injections again)."},
	"lesson_step.rate":     {kind: vBlock, ref: "lesson_rate", doc: "Action: change a workload's rate from the step on."},
	"lesson_step.until":    {kind: vText, doc: "Wait until this live condition holds (the when: language), checked every 100ms."},
	"lesson_step.for":      {kind: vDuration, doc: "Wait this long; with until:, the most to wait for it."},
	"lesson_step.check":    {kind: vAny, doc: "An expect: expression, or a list, evaluated when the step's wait ends."},
	"lesson_rate.workload": {kind: vText, doc: "The workload whose rate changes."},
	"lesson_rate.to":       {kind: vRate, doc: "The new rate (the workload's rate must be a constant)."},
	"lesson_rate.factor":   {kind: vFactor, doc: "Multiply the current rate by this."},

	"workload.clients":  {kind: vInt, doc: "Independent clients, each with its own breaker and retry state (default one)."},
	"workload.to":       {kind: vText, doc: `The "service.op" (or "service") the requests go to.`},
	"workload.rate":     {kind: vRate, doc: `Open-loop arrival rate, e.g. 800/s, or an expression of t such as "100 + 50*sin(2*pi*t/5m)".`},
	"workload.arrivals": {kind: vEnum, enum: arrivalNames, doc: "How arrivals are spaced (open loop)."},
	"workload.requests": {kind: vInt, doc: "Stop after this many requests."},
	"workload.timeout":  {kind: vDuration, doc: "The client gives up on a request after this long."},
	"workload.users":    {kind: vInt, doc: "Closed loop: this many users, each sending again after a reply and think:."},
	"workload.think":    {kind: vDist, doc: "Closed loop: time a user waits between a reply and the next request."},
	"workload.priority": {kind: vEnum, enum: []string{"critical", "sheddable"}, doc: "Whether services may shed these requests first."},
	"workload.keys":     {kind: vText, doc: "Key popularity of the requests, e.g. zipf(s=1.1, n=10000)."},

	"policy.deadline":   {kind: vDuration, doc: "Deadline propagated with the call."},
	"policy.retry":      {kind: vBlockOr, ref: "retry", doc: "Retry failed calls."},
	"policy.hedge":      {kind: vBlock, ref: "hedge", doc: "Send a second copy of a slow call."},
	"policy.breaker":    {kind: vBlockOr, ref: "breaker", doc: "A circuit breaker on this call."},
	"policy.bulkhead":   {kind: vBlockOr, ref: "bulkhead", doc: "Limit calls in flight: a number or {max, wait}."},
	"policy.pool":       {kind: vBlock, ref: "pool", doc: "A connection pool for this call."},
	"policy.rate_limit": {kind: vBlock, ref: "limiter", doc: "The caller's own rate limit."},
	"policy.throttle":   {kind: vBlockOr, ref: "throttle", doc: "Client-side adaptive throttling."},
	"policy.scope":      {kind: vEnum, enum: []string{"instance", "shared"}, doc: "Whether the policy's state is per caller instance or shared."},

	"admission.rate_limit": {kind: vBlock, ref: "limiter", doc: "Server-side rate limit."},
	"admission.shed":       {kind: vBlock, ref: "shed", doc: "Load shedding."},
	"admission.deadlines":  {kind: vEnum, enum: []string{"ignore", "drop", "abort"}, doc: "What the service does with requests past their deadline."},
	"admission.outlier":    {kind: vBlockOr, ref: "outlier", doc: "Outlier ejection of this service's instances."},

	"service.instances":    {kind: vInt, doc: "Number of instances."},
	"service.autoscale":    {kind: vBlock, ref: "autoscale", doc: "Scale the instance count by target tracking (instead of instances:)."},
	"service.workers":      {kind: vAny, doc: "Workers per instance, or unlimited."},
	"service.queue":        {kind: vAny, doc: "Queue length per instance, or unbounded."},
	"service.discipline":   {kind: vEnum, enum: disciplineNames, doc: "Queue order."},
	"service.balancer":     {kind: vEnum, enum: balancerNames, doc: "How callers pick an instance."},
	"service.choices":      {kind: vInt, doc: "How many instances p2c samples (power of d choices; default 2)."},
	"service.refresh":      {kind: vDuration, doc: "Load-reading balancers see loads refreshed only this often (default live)."},
	"service.service_time": {kind: vDist, doc: "Shorthand for a service with one operation that does this much work."},
	"service.ops":          {kind: vOps, doc: "Operations: a map of operation name to a list of steps."},
	"service.cache":        {kind: vBlock, ref: "cache", doc: "Makes this service a cache."},
	"service.database":     {kind: vBlock, ref: "database", doc: "Makes this service a replicated database."},
	"service.topic":        {kind: vBlock, ref: "queue", doc: "Makes this service a message topic."},
	"service.zones":        {kind: vStrings, doc: "Zones its instances are placed in, round robin by index, e.g. [a, b, c]."},
	"service.zone_aware":   {kind: vBool, doc: "Prefer instances in the caller's zone while one has a free worker."},

	"step.work":     {kind: vDist, doc: "Hold a worker for this long."},
	"step.call":     {kind: vText, doc: `Call "service.op" (or "service").`},
	"step.timeout":  {kind: vDuration, doc: "Give up on the call or cache lookup after this long."},
	"step.repeat":   {kind: vInt, doc: "Make the call this many times in a row."},
	"step.parallel": {kind: vSteps, doc: "Steps run at the same time; the step ends when all do."},
	"step.wait":     {kind: vAny, doc: "How a parallel step waits for its children."},
	"step.branch":   {kind: vList, ref: "arm", doc: "Take one arm at random."},
	"step.fail":     {kind: vProb, doc: "Fail the request with this probability."},
	"step.cache":    {kind: vText, doc: "Look the request's key up in this cache service."},
	"step.miss":     {kind: vSteps, doc: "Steps that load the value on a cache miss."},
	"step.publish":  {kind: vText, doc: "Publish a message to this topic service."},
	"step.outbox":   {kind: vBool, doc: "Publish through a transactional outbox."},
	"step.saga":     {kind: vList, ref: "action", doc: "Actions run in order, compensated in reverse when one fails."},

	"arm.p":     {kind: vProb, doc: "Probability of this arm."},
	"arm.steps": {kind: vSteps, doc: "Steps of this arm."},

	"retry.attempts":    {kind: vInt, doc: "Attempts, counting the first."},
	"retry.on":          {kind: vStrings, doc: "Outcomes that are retried, e.g. [error, timeout]."},
	"retry.backoff":     {kind: vEnum, enum: backoffNames, doc: "Backoff between attempts."},
	"retry.base":        {kind: vDuration, doc: "First backoff."},
	"retry.cap":         {kind: vDuration, doc: "Longest backoff."},
	"retry.multiplier":  {kind: vNumber, doc: "Growth of the exponential backoff."},
	"retry.jitter":      {kind: vEnum, enum: jitterNames, doc: "Randomisation of the backoff."},
	"retry.spread":      {kind: vProb, doc: "Proportional jitter: +/- this fraction."},
	"retry.retry_after": {kind: vEnum, enum: pushbackNames, doc: "Whether server pushback (Retry-After) is honoured."},
	"retry.budget":      {kind: vBlockOr, ref: "budget", doc: "Retry budget."},

	"budget.ratio":       {kind: vPercent, doc: "Finagle: retries allowed as a percentage of requests."},
	"budget.min_per_sec": {kind: vInt, doc: "Finagle: retries always allowed per second."},
	"budget.ttl":         {kind: vDuration, doc: "Finagle: window the ratio is measured over."},
	"budget.tokens":      {kind: vNumber, doc: "gRPC retryThrottling maxTokens."},
	"budget.token_ratio": {kind: vNumber, doc: "gRPC retryThrottling tokenRatio."},
	"budget.concurrency": {kind: vPercent, doc: "Envoy: retries in flight as a percentage of requests in flight."},
	"budget.min":         {kind: vInt, doc: "Envoy: retries in flight always allowed."},

	"hedge.delay": {kind: vDuration, doc: "Send a hedge after this long without a reply."},
	"hedge.max":   {kind: vInt, doc: "Most copies in flight, counting the first."},

	"breaker.preset":             {kind: vText, doc: "Start from a library's defaults: resilience4j, hystrix, gobreaker."},
	"breaker.kind":               {kind: vEnum, enum: breakerKinds, doc: "How failures are counted."},
	"breaker.wait":               {kind: vDuration, doc: "Time open before trying half-open."},
	"breaker.automatic":          {kind: vBool, doc: "Go half-open by itself after wait:."},
	"breaker.max_requests":       {kind: vInt, doc: "Calls allowed while half-open (gobreaker)."},
	"breaker.interval":           {kind: vDuration, doc: "Period after which closed-state counts reset (gobreaker)."},
	"breaker.trip_after":         {kind: vInt, doc: "Consecutive failures that open the breaker."},
	"breaker.window":             {kind: vInt, doc: "Calls (count_window) or buckets (time_window) in the window."},
	"breaker.bucket":             {kind: vDuration, doc: "Width of one time_window bucket."},
	"breaker.min_calls":          {kind: vInt, doc: "Calls in the window before the rate is judged."},
	"breaker.failure_rate":       {kind: vPercent, doc: "Failure rate that opens the breaker."},
	"breaker.slow_rate":          {kind: vPercent, doc: "Slow-call rate that opens the breaker."},
	"breaker.slow_call":          {kind: vDuration, doc: "Calls slower than this count as slow."},
	"breaker.half_open_calls":    {kind: vInt, doc: "Trial calls while half-open."},
	"breaker.max_half_open_wait": {kind: vDuration, doc: "Longest time half-open."},
	"breaker.record_stale":       {kind: vBool, doc: "Count replies that arrive after the caller gave up."},

	"bulkhead.max":  {kind: vInt, doc: "Most calls in flight."},
	"bulkhead.wait": {kind: vDuration, doc: "How long a call may wait for a slot."},

	"pool.size":            {kind: vInt, doc: "Connections."},
	"pool.acquire_timeout": {kind: vDuration, doc: "How long a caller waits for a connection."},
	"pool.waiters":         {kind: vAny, doc: "Most callers waiting, or unbounded."},
	"pool.setup":           {kind: vDist, doc: "Time to open a connection."},
	"pool.max_lifetime":    {kind: vDuration, doc: "Connections are replaced after this long; 0 keeps them."},

	"limiter.algorithm": {kind: vEnum, enum: limiterNames, doc: "Limiting algorithm."},
	"limiter.rate":      {kind: vRate, doc: "Allowed rate, e.g. 100/s."},
	"limiter.burst":     {kind: vInt, doc: "Requests allowed at once above the rate."},
	"limiter.interval":  {kind: vDuration, doc: "Window of window-based algorithms."},
	"limiter.per":       {kind: vEnum, enum: []string{"service", "instance"}, doc: "Whether the limit is for the service or each instance."},

	"throttle.k":      {kind: vNumber, doc: "Google SRE client throttling K."},
	"throttle.window": {kind: vDuration, doc: "Window of requests and accepts."},

	"shed.queue_timeout":   {kind: vDuration, doc: "Drop requests queued longer than this."},
	"shed.codel":           {kind: vBlockOr, ref: "codel", doc: "CoDel: true, or {target, interval}."},
	"shed.lifo_above":      {kind: vInt, doc: "Serve the newest first when the queue is longer than this."},
	"shed.sheddable_above": {kind: vInt, doc: "Drop sheddable requests when the queue is longer than this."},

	"codel.target":   {kind: vDuration, doc: "Acceptable queueing delay."},
	"codel.interval": {kind: vDuration, doc: "Window the delay is judged over."},

	"outlier.consecutive_5xx":  {kind: vInt, doc: "Consecutive errors that eject an instance."},
	"outlier.interval":         {kind: vDuration, doc: "How often ejections are judged."},
	"outlier.base_ejection":    {kind: vDuration, doc: "First ejection time."},
	"outlier.max_ejection":     {kind: vDuration, doc: "Longest ejection time."},
	"outlier.max_percent":      {kind: vPercent, doc: "Most instances ejected at once."},
	"outlier.always_eject_one": {kind: vBool, doc: "Eject one instance even when max_percent rounds to none."},
	"outlier.success_rate":     {kind: vBool, doc: "Also eject by success-rate outliers."},

	"cache.capacity":               {kind: vInt, doc: "Entries the cache holds."},
	"cache.ttl":                    {kind: vDuration, doc: "Time an entry stays fresh."},
	"cache.ttl_jitter":             {kind: vProb, doc: "Randomise each TTL by up to this fraction."},
	"cache.negative_ttl":           {kind: vDuration, doc: "Cache failed loads for this long."},
	"cache.pattern":                {kind: vEnum, enum: []string{"cache_aside", "read_through"}, doc: "Who loads a miss."},
	"cache.origin":                 {kind: vText, doc: `The "service.op" a miss loads from.`},
	"cache.origin_timeout":         {kind: vDuration, doc: "Give up on a load after this long."},
	"cache.writes":                 {kind: vEnum, enum: []string{"invalidate", "through", "back", "around"}, doc: "Write policy."},
	"cache.write_origin":           {kind: vText, doc: `The "service.op" writes go to.`},
	"cache.write_back_delay":       {kind: vDuration, doc: "Delay before a write-back reaches the origin."},
	"cache.hit_time":               {kind: vDist, doc: "Time to answer a hit."},
	"cache.single_flight":          {kind: vBool, doc: "Coalesce concurrent misses of one key."},
	"cache.lock_timeout":           {kind: vDuration, doc: "How long coalesced callers wait."},
	"cache.lease":                  {kind: vDuration, doc: "Lease on a key being loaded."},
	"cache.stale_while_revalidate": {kind: vDuration, doc: "Serve stale while refreshing, for this long past the TTL."},
	"cache.stale_if_error":         {kind: vDuration, doc: "Serve stale when the load fails, for this long past the TTL."},
	"cache.xfetch":                 {kind: vNumber, doc: "Probabilistic early refresh beta."},
	"cache.fill_after_timeout":     {kind: vBool, doc: "Fill the cache from a load that finished after its caller gave up."},

	"database.replicas":      {kind: vInt, doc: "Replicas besides the primary."},
	"database.writes":        {kind: vStrings, doc: "Operations that are writes."},
	"database.replication":   {kind: vEnum, enum: []string{"async", "semi_sync", "sync"}, doc: "Replication mode."},
	"database.delay":         {kind: vDist, doc: "Replication delay."},
	"database.apply_time":    {kind: vDist, doc: "Time a replica takes to apply a write."},
	"database.read_from":     {kind: vEnum, enum: []string{"primary", "replicas", "bounded", "read_your_writes"}, doc: "Where reads go."},
	"database.max_staleness": {kind: vDuration, doc: "bounded: the most lag a replica read may see."},
	"database.promotion":     {kind: vDuration, doc: "Time to promote a replica after a failover."},
	"database.optimistic":    {kind: vBool, doc: "Optimistic writes: a write fails with a conflict when another write to its row committed since it started."},

	"queue.partitions":         {kind: vInt, doc: "Partitions of the topic."},
	"queue.visibility_timeout": {kind: vDuration, doc: "A message not acked this long is delivered again."},
	"queue.max_deliveries":     {kind: vInt, doc: "Deliveries before a message is dead-lettered."},
	"queue.publish_time":       {kind: vDist, doc: "Time to publish a message."},
	"queue.outbox_poll":        {kind: vDuration, doc: "How often the outbox relay polls."},
	"queue.outbox_batch":       {kind: vInt, doc: "Rows the relay publishes per poll."},
	"queue.consumers":          {kind: vMap, ref: "consumer", doc: "Consumer groups, by name."},

	"consumer.to":          {kind: vText, doc: `The "service.op" that handles a message.`},
	"consumer.concurrency": {kind: vInt, doc: "Messages handled at once."},
	"consumer.ordered":     {kind: vBool, doc: "Handle one message per partition at a time, in order."},
	"consumer.idempotent":  {kind: vBool, doc: "Duplicates have no effect."},
	"consumer.timeout":     {kind: vDuration, doc: "Give up on a handler after this long."},

	"action.do":   {kind: vBlock, ref: "step", doc: "The action's step."},
	"action.undo": {kind: vBlock, ref: "step", doc: "The step that compensates it."},

	"fault.name":      {kind: vText, doc: "Name in reports."},
	"fault.at":        {kind: vDuration, doc: "When the fault starts."},
	"fault.for":       {kind: vDuration, doc: "How long it lasts."},
	"fault.on":        {kind: vAny, doc: `What it acts on: a link "from->to", a service or a workload.`},
	"fault.between":   {kind: vAny, doc: "partition: the groups cut off from each other."},
	"fault.instances": {kind: vAny, doc: "How many instances: a number, all, one, or a percentage."},
	"fault.instance":  {kind: vInt, doc: "Which instance."},
	"fault.restart":   {kind: vDuration, doc: "crash: instances come back after this long."},
	"fault.after":     {kind: vDuration, doc: "Delay before the fault takes effect."},
	"fault.keys":      {kind: vProb, doc: "Fraction of keys affected."},
	"fault.over":      {kind: vDuration, doc: "ramp: time to reach the full factor."},
	"fault.direction": {kind: vAny, doc: "Which direction of a link is affected."},
	"fault.when":      {kind: vText, doc: "Start when this condition holds, e.g. utilization(\"db\") > 0.9."},
	"fault.key":       {kind: vInt, doc: "Which key."},

	"fault.batch":          {kind: vAny, doc: "deploy: instances per wave, a number or a share such as 25%."},
	"fault.bake":           {kind: vDuration, doc: "deploy: time a wave runs before it is checked and the next starts."},
	"fault.startup":        {kind: vDuration, doc: "deploy: time an instance is out of rotation while it restarts."},
	"fault.warmup":         {kind: vDuration, doc: "deploy: time a restarted instance stays cold."},
	"fault.cold":           {kind: vAny, doc: "deploy: how much slower a cold instance is, e.g. 2x (needs warmup:)."},
	"fault.bad":            {kind: vBlock, ref: "bad_version", doc: "deploy: the new version's faults."},
	"fault.max_error_rate": {kind: vPercent, doc: "deploy: the bake check; a wave whose service fails more rolls back (or halts)."},
	"fault.rollback":       {kind: vBool, doc: "deploy: roll back when the check fails (true) or halt (false)."},

	"bad_version.errors": {kind: vProb, doc: "Share of the new version's replies that fail."},
	"bad_version.slow":   {kind: vAny, doc: "How much slower the new version is, e.g. 3x."},

	"autoscale.metric":             {kind: vEnum, enum: []string{"utilization", "queue", "rps"}, doc: "What is tracked: utilization of the ready instances, queue length or requests/s per instance."},
	"autoscale.target":             {kind: vAny, doc: "The metric's target: a percentage for utilization, a number otherwise."},
	"autoscale.min":                {kind: vInt, doc: "Fewest instances."},
	"autoscale.max":                {kind: vInt, doc: "Most instances."},
	"autoscale.initial":            {kind: vInt, doc: "Instances at the start (default min)."},
	"autoscale.period":             {kind: vDuration, doc: "How often the metric is read and a decision made (default 1m)."},
	"autoscale.scale_out_cooldown": {kind: vDuration, doc: "Time after a scale-out before another (default 5m)."},
	"autoscale.scale_in_cooldown":  {kind: vDuration, doc: "Time after a scaling before a scale-in (default 5m)."},
	"autoscale.provision":          {kind: vDuration, doc: "Time from a scale-out decision to the instance taking traffic."},
	"autoscale.warmup":             {kind: vDuration, doc: "Time a new instance stays cold."},
	"autoscale.cold":               {kind: vAny, doc: "How much slower a cold instance is, e.g. 2x."},

	"link.latency": {kind: vDist, doc: "One-way latency of the link."},

	"zones.names":         {kind: vStrings, doc: "The zones, e.g. [a, b, c]."},
	"zones.latency":       {kind: vDist, doc: "Round trip a call between two different zones adds (half each way)."},
	"zones.between":       {kind: vAny, doc: `Latency of one pair of zones, both ways: "a<->c": a distribution.`},
	"zones.cost_per_call": {kind: vNumber, doc: "Cost of one call between zones."},
	"zones.cost_per_gb":   {kind: vNumber, doc: "Cost of 10^9 bytes between zones, with bytes:."},
	"zones.bytes":         {kind: vAny, doc: "Size of one call, request and reply together, e.g. 20KB."},

	"slo.workload":   {kind: vText, doc: "The workload whose requests are judged."},
	"slo.service":    {kind: vText, doc: "The service whose replies are judged."},
	"slo.objective":  {kind: vProb, doc: "Fraction of good events, e.g. 99.9%. A bare 0.999 is read as a fraction (99.9%)."},
	"slo.latency":    {kind: vDuration, doc: "Events slower than this are bad."},
	"slo.period":     {kind: vDuration, doc: "Compliance period of the error budget."},
	"slo.scale":      {kind: vAny, doc: `Time scale, a number or "SIMULATED = REAL".`},
	"slo.alerts":     {kind: vAny, doc: "Burn-rate alerts: a preset name or a list of rules."},
	"slo.min_events": {kind: vInt, doc: "Events needed before an alert may fire."},
	"slo.history":    historyDoc,

	"history.burned": {kind: vProb, doc: "Share of the period's budget spent before the start, e.g. 40%."},

	"rule.severity": {kind: vEnum, enum: []string{"page", "ticket"}, doc: "What the alert does."},
	"rule.long":     {kind: vDuration, doc: "Long window."},
	"rule.short":    {kind: vDuration, doc: "Short window."},
	"rule.burn":     {kind: vNumber, doc: "Burn rate that fires the alert."},
	"rule.for":      {kind: vDuration, doc: "Time the condition must hold."},
}

// historyDoc is slo.history and slos: history:.
var historyDoc = fieldDoc{kind: vBlockOr, ref: "history", enum: historyNames,
	doc: "What windows longer than the run assume came before: elapsed (nothing, the default), clean (on-target traffic at the SLO's rate) or {burned: 40%}."}

// faultVerbDoc describes the verb keys of a fault, which all take a
// parameter or a target the loader checks by verb.
const faultVerbDoc = "Fault verb; its value is the verb's parameter (a latency, a probability, a factor) or its target."

// Bounds is a numeric field's range, for the schema's minimum/maximum.
type Bounds struct {
	Min, Max         float64
	MinOpen, MaxOpen bool
}

// SchemaBounds, when set, gives the range of the field key of block (named
// as in schemaBlocks), so the schema carries the same minimum and maximum
// as the loader. It is a hook rather than a table of its own so that the
// bounds have one source: the loader's range table, where there is one.
var SchemaBounds func(block, key string) (Bounds, bool)

// Schema returns the JSON Schema of the scenario format, indented, with a
// trailing newline. Its output is deterministic (encoding/json sorts map
// keys), so the copy shipped in the repository can be compared byte by byte.
func Schema() ([]byte, error) {
	defs := map[string]any{}
	blocks := schemaBlocks()
	verbs := map[string]bool{}
	for _, v := range models.Verbs() {
		verbs[v.String()] = true
	}
	for _, b := range blocks {
		props := map[string]any{}
		for _, k := range b.keys {
			if b.name == "fault" && verbs[k] {
				props[k] = map[string]any{"description": faultVerbDoc}
				continue
			}
			d, ok := lookupDoc(b, k)
			if !ok {
				return nil, fmt.Errorf("schema: no fieldDocs entry for %s.%s", b.name, k)
			}
			s, err := valueSchema(d)
			if err != nil {
				return nil, fmt.Errorf("schema: %s.%s: %v", b.name, k, err)
			}
			if SchemaBounds != nil && (d.kind == vInt || d.kind == vNumber || d.kind == vProb) {
				for _, name := range append([]string{b.name}, b.inherit...) {
					if r, ok := SchemaBounds(name, k); ok {
						addBounds(s, r)
						break
					}
				}
			}
			props[k] = s
		}
		def := map[string]any{
			"type":                 "object",
			"description":          b.doc,
			"properties":           props,
			"additionalProperties": false,
		}
		if b.name == "top" {
			def["required"] = []string{"services", "workloads"}
			def["patternProperties"] = map[string]any{"^x-": map[string]any{"description": "Extension key, ignored: a place to define YAML anchors."}}
		}
		defs[b.name] = def
	}
	root := map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         "https://cascade.dev/schema/scenario.schema.json",
		"title":       "cascade scenario",
		"description": "Generated by `cascade schema` from the scenario loader's field tables; do not edit.",
		"$ref":        "#/$defs/top",
		"$defs":       defs,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func lookupDoc(b schemaBlock, k string) (fieldDoc, bool) {
	for _, name := range append([]string{b.name}, b.inherit...) {
		if d, ok := fieldDocs[name+"."+k]; ok {
			return d, true
		}
	}
	return fieldDoc{}, false
}

// addBounds writes r into s. JSON Schema's bounds apply to numbers only, so
// a string value (10%, 2^20 written out) is not checked by them.
func addBounds(s map[string]any, r Bounds) {
	if !math.IsInf(r.Min, -1) && r.Min > -1<<53 {
		if r.MinOpen {
			s["exclusiveMinimum"] = r.Min
		} else {
			s["minimum"] = r.Min
		}
	}
	if !math.IsInf(r.Max, 1) && r.Max < 1<<53 {
		if r.MaxOpen {
			s["exclusiveMaximum"] = r.Max
		} else {
			s["maximum"] = r.Max
		}
	}
}

func ref(block string) map[string]any { return map[string]any{"$ref": "#/$defs/" + block} }

// valueSchema is the schema of one value. Scalars are typed only as far as
// the loader itself insists: YAML writes 10% and 250ms as strings, and 1_000
// or 1e3 decode to different JSON types, so a number field also accepts a
// string the loader then parses.
func valueSchema(d fieldDoc) (map[string]any, error) {
	s := map[string]any{}
	switch d.kind {
	case vText:
		s["type"] = "string"
	case vInt:
		s["type"] = []string{"integer", "string"}
	case vNumber, vProb:
		s["type"] = []string{"number", "string"}
	case vDuration, vPercent, vFactor:
		s["type"] = "string"
	case vRate:
		s["type"] = []string{"string", "number"}
	case vBool:
		s["type"] = "boolean"
	case vDist:
		s["type"] = []string{"string", "number", "object"}
	case vEnum:
		enum := append([]string(nil), d.enum...)
		sort.Strings(enum)
		s["enum"] = enum
	case vBlock:
		s = ref(d.ref)
	case vBlockOr:
		short := map[string]any{"type": []string{"string", "number", "boolean"}}
		if d.enum != nil {
			short = map[string]any{"enum": d.enum}
		}
		s["anyOf"] = []any{ref(d.ref), short}
	case vList:
		s["type"] = "array"
		s["items"] = ref(d.ref)
	case vMap:
		s["type"] = "object"
		s["additionalProperties"] = ref(d.ref)
		if len(d.props) > 0 {
			props := map[string]any{}
			for k, p := range d.props {
				ps, err := valueSchema(p)
				if err != nil {
					return nil, err
				}
				props[k] = ps
			}
			s["properties"] = props
		}
	case vSteps:
		s["type"] = "array"
		s["items"] = ref("step")
	case vStrings:
		s["anyOf"] = []any{map[string]any{"type": "string"}, map[string]any{"type": "array", "items": map[string]any{"type": "string"}}}
	case vOps:
		s["type"] = "object"
		s["additionalProperties"] = map[string]any{"type": "array", "items": ref("step")}
	case vAny:
	default:
		return nil, fmt.Errorf("unknown kind %d", d.kind)
	}
	if d.doc != "" {
		s["description"] = d.doc
	}
	return s, nil
}
