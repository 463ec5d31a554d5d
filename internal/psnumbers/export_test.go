package psnumbers

import "time"

// SetClock sets the clock a cached Numbers dates its lists by.
func SetClock(n *Numbers, now func() time.Time) { n.now = now }
