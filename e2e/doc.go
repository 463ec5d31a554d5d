// Package e2e holds websignup's browser tests: they build the websignup
// command once, run it as a subprocess on the demo form (a fresh SQLite
// database and the in-process PortaSwitch simulator per test), and drive
// Debian's Chromium through the DevTools protocol (chromedp), checking every
// page with axe-core and saving a screenshot of every step.
//
// The package has no code outside its tests. The tests need /usr/bin/chromium
// and node_modules/axe-core (make deps); without Chromium they skip, unless
// CI is set, where they fail. Screenshots go to $WEBSIGNUP_SCREENSHOTS, or
// e2e/testdata/screenshots (ignored by git). WEBSIGNUP_E2E_BINARY names a
// websignup binary to test instead of building one from the working tree.
package e2e
