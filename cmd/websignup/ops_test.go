package main

import (
	"runtime"
	"testing"
)

// settle runs FreeOSMemory on one P; the process must get its GOMAXPROCS
// back, whether it came from the runtime's default or the environment.
func TestSettleRestoresGOMAXPROCS(t *testing.T) {
	start := runtime.GOMAXPROCS(0)
	t.Cleanup(restoreGOMAXPROCS)
	var o operations

	o.settle()
	if got := runtime.GOMAXPROCS(0); got != start {
		t.Fatalf("GOMAXPROCS after settle = %d, want %d (as at start)", got, start)
	}

	t.Setenv("GOMAXPROCS", "3")
	o.settle()
	if got := runtime.GOMAXPROCS(0); got != 3 {
		t.Fatalf("GOMAXPROCS after settle with GOMAXPROCS=3 in the environment = %d, want 3", got)
	}
}
