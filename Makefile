# websignup's vocabulary. `make run` is the demo; `make test` is what CI runs.

GO           ?= go
TEST_TIMEOUT ?= 10m
BIN          ?= bin
HTMX         := components/static/vendor/htmx.min.js
# Three signup runs: the median run's cost is judged (docs/performance.md).
BENCH_FLAGS  ?= -runs 3

# Go source folders (not node_modules), for gofmt.
GO_DIRS = $(shell $(GO) list -f '{{.Dir}}' ./...)
TEMPL_FILES = $(shell git ls-files --cached --others --exclude-standard '*.templ')

.PHONY: run test generate lint build bench e2e deps fmt clean

## run: serve the demo form at http://localhost:8080/s/demo/
run: deps
	$(GO) run ./cmd/websignup serve --demo

## test: every test with the race detector (PostgreSQL too when WEBSIGNUP_TEST_POSTGRES is set)
test: deps
	$(GO) test -race -timeout $(TEST_TIMEOUT) ./...

## generate: regenerate the templ components' Go code
generate:
	$(GO) tool templ generate

## lint: formatting, vet, templ formatting, generated code up to date
lint: deps
	@out=$$(gofmt -l $(GO_DIRS)); if [ -n "$$out" ]; then echo "gofmt: not formatted (run make fmt):"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@bad=0; for f in $(TEMPL_FILES); do \
		$(GO) tool templ fmt -stdout -stdin-filepath "$$f" < "$$f" | cmp -s - "$$f" || { echo "templ fmt: not formatted: $$f"; bad=1; }; \
	done; [ $$bad -eq 0 ] || { echo "run make fmt"; exit 1; }
	@# -check compares without writing, so lint never touches the tree.
	$(GO) tool templ generate -check -log-level warn || { echo "generated files are out of date: run make generate and commit"; exit 1; }
	@echo lint: ok

## fmt: format Go and templ files in place
fmt:
	gofmt -w $(GO_DIRS)
	$(GO) tool templ fmt .

## build: websignup and portasim into ./bin
build: deps
	$(GO) build -o $(BIN)/ ./cmd/...

## bench: websignup-bench (throughput, latency, CPU per signup, memory against the goals; see docs/performance.md), then the Go benchmarks
bench: deps
	$(GO) build -o $(BIN)/ ./cmd/websignup ./cmd/portasim ./cmd/websignup-bench
	$(BIN)/websignup-bench -bin $(BIN) $(BENCH_FLAGS)
	$(GO) test -run '^$$' -bench . -benchmem ./...

## e2e: browser tests (need chromium)
e2e: deps
	$(GO) test -run Browser -timeout $(TEST_TIMEOUT) ./...

## deps: front-end packages (npm ci when node_modules is missing or stale), vendored into components/static
deps: $(HTMX)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(HTMX): node_modules/.package-lock.json
	cp node_modules/htmx.org/dist/htmx.min.js $@

clean:
	rm -rf $(BIN)
