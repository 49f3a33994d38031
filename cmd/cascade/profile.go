package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
)

// profiles writes the Go runtime's CPU and heap profiles of a run, so users
// can see where their own large scenarios spend time and memory with the
// standard `go tool pprof`. Both files are opened before simulating: finding
// out after a long run that a profile cannot be written would waste it.
type profiles struct {
	cpu     *os.File
	memPath string
}

// startProfiles begins CPU profiling into cpuPath (when not empty) and
// remembers memPath for the heap profile written by stop.
func startProfiles(cpuPath, memPath string) (*profiles, error) {
	p := &profiles{memPath: memPath}
	if memPath != "" {
		if err := checkOutput(memPath); err != nil {
			return nil, fmt.Errorf("--memprofile %s: %v", memPath, err)
		}
	}
	if cpuPath != "" {
		f, err := os.Create(cpuPath)
		if err != nil {
			return nil, fmt.Errorf("--cpuprofile %s: %v", cpuPath, err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("--cpuprofile %s: %v", cpuPath, err)
		}
		p.cpu = f
	}
	return p, nil
}

// stop ends the CPU profile and writes the heap profile. The heap profile is
// taken after a garbage collection so it shows what the run still holds and,
// with -sample_index=alloc_space, everything it allocated.
func (p *profiles) stop() error {
	var first error
	if p.cpu != nil {
		pprof.StopCPUProfile()
		if err := p.cpu.Close(); err != nil {
			first = fmt.Errorf("--cpuprofile: %v", err)
		}
		p.cpu = nil
	}
	if p.memPath != "" {
		runtime.GC()
		err := writeAtomically(p.memPath, func(w io.Writer) error { return pprof.Lookup("allocs").WriteTo(w, 0) })
		if err != nil && first == nil {
			first = fmt.Errorf("--memprofile %s: %v", p.memPath, err)
		}
		p.memPath = ""
	}
	return first
}
