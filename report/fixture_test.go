package report

import (
	"math"

	"cascade/models"
	"cascade/sim"
)

// fixture is a hand-built result that exercises every branch of the
// renderers: latencies from microseconds to seconds, a workload with no OK
// reply (NaN latencies), a service with unlimited workers (NaN utilization)
// and one with no completions (infinite Little's law error).
func fixture() (Meta, models.Result) {
	nan := math.NaN()
	meta := Meta{
		Scenario:    "shop",
		Description: "Gateway -> API -> cache -> db, with a <checkout> & a browse workload",
		Source:      "builtin:shop",
		Version:     "0.1.0-test",
		Seed:        42,
		Duration:    10 * sim.Minute,
		Warmup:      30 * sim.Second,
		Events:      12345678,
	}
	r := models.Result{
		Now:      10 * sim.Minute,
		Measured: 9*sim.Minute + 30*sim.Second,
		Workloads: []models.WorkloadResult{
			{
				Name:   "browse",
				Counts: models.Counts{Arrivals: 456000, OK: 455000, Error: 600, Timeout: 300, Rejected: 90},
				// Throughput and goodput per second of the measured span.
				Throughput: 799.982456, Goodput: 798.245614,
				Latency:  models.Latency{Count: 455000, Mean: 0.0123456, P50: 0.000987, P90: 0.0254, P99: 0.9999996, P999: 1.5, Max: 12.3456},
				InFlight: 10,
			},
			{
				Name:    "checkout",
				Counts:  models.Counts{Arrivals: 5, Timeout: 5},
				Goodput: 0, Throughput: 0.00877,
				Latency: models.Latency{Mean: nan, P50: nan, P90: nan, P99: nan, P999: nan, Max: nan},
			},
		},
		Services: []models.ServiceResult{
			{
				Name: "gateway", Instances: 2, Workers: 0,
				Counts:     models.Counts{Arrivals: 456005, OK: 455000, Error: 600},
				Throughput: 799.0, Goodput: 798.2,
				Latency:     models.Latency{Count: 455000, Mean: 0.0121, P50: 0.00095, P90: 0.025, P99: 0.95, P999: 1.4, Max: 12.3},
				Utilization: nan, MeanBusy: 9.7, MeanQueue: 0, PeakQueue: 0, MeanInFlight: 9.7, InFlight: 3,
				Little: models.Little{L: 9.7, LambdaW: 9.68},
			},
			{
				Name: "api", Instances: 4, Workers: 16,
				Counts:     models.Counts{Arrivals: 456005, OK: 455000, Error: 600, Rejected: 405},
				Late:       12,
				Throughput: 799.0, Goodput: 798.2,
				Latency:     models.Latency{Count: 455000, Mean: 0.0101, P50: 0.0000123, P90: 0.02, P99: 0.5, P999: 1.2, Max: 10},
				Utilization: 0.1234567, MeanBusy: 7.9, MeanQueue: 1.2345, PeakQueue: 57, MeanInFlight: 9.13, InFlight: 2,
				Little: models.Little{L: 9.13, LambdaW: 9.2},
			},
			{
				Name: "stuck", Instances: 1, Workers: 1,
				Counts:      models.Counts{Arrivals: 3},
				Latency:     models.Latency{Mean: nan, P50: nan, P90: nan, P99: nan, P999: nan, Max: nan},
				Utilization: 1, MeanBusy: 1, MeanQueue: 2, PeakQueue: 2, MeanInFlight: 3, InFlight: 3,
				Little: models.Little{L: 3, LambdaW: 0},
			},
		},
	}
	return meta, r
}

func modelsResultZero() models.Result { return models.Result{} }
