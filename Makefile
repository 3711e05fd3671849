# jobctl: what people type. `make demo` and `make test` work on a fresh Debian/Ubuntu machine
# with Swift installed; `deps` installs the libcurl headers when they are missing.

PREFIX ?= /usr/local
DESTDIR ?=
SWIFT ?= swift
BINDIR = $(DESTDIR)$(PREFIX)/bin
MANDIR = $(DESTDIR)$(PREFIX)/share/man/man1
BASHDIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHDIR = $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHDIR = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d

.PHONY: all deps build release test test-asan leak-check lint format demo bench fuzz install uninstall clean \
	deb test-deb

all: build

# libcurl's headers (and pkg-config, which SwiftPM uses to find them); the openssl tool, which
# the TLS tests use to make a certificate and serve HTTPS; zsh and fish, whose completion the
# tests drive (bash is there already); groff, which the tests render the manual with; readelf
# (binutils), which make test-deb reads the binary's libraries with; lintian, Debian's package
# checker, which make test-deb runs on the package.
deps:
	@missing=""; \
	{ command -v pkg-config >/dev/null 2>&1 && pkg-config --exists libcurl; } || missing="$$missing libcurl4-openssl-dev pkg-config"; \
	command -v openssl >/dev/null 2>&1 || missing="$$missing openssl"; \
	command -v zsh >/dev/null 2>&1 || missing="$$missing zsh"; \
	command -v fish >/dev/null 2>&1 || missing="$$missing fish"; \
	command -v groff >/dev/null 2>&1 || missing="$$missing groff-base"; \
	command -v readelf >/dev/null 2>&1 || missing="$$missing binutils"; \
	command -v lintian >/dev/null 2>&1 || missing="$$missing lintian"; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@pkg-config --exists libcurl || { echo "make: libcurl headers still missing" >&2; exit 1; }
	@$(MAKE) --no-print-directory $(MOTO_STAMP)

# moto's server mode, an AWS-compatible server the end-to-end tests sign requests against, in a
# virtual environment of its own (made once; `rm -rf .build/venv-moto` to make it anew).
# moto finds each call's operation in botocore's service models, and botocore 1.44 describes
# Athena with its REST protocol (POST /query-executions), which moto 5.2 does not route, so an
# Athena call with X-Amz-Target (the JSON protocol every earlier SDK speaks) is a 404: botocore
# stays below 1.44. moto itself is pinned too: the error types the AWS shapes list are spelt as
# this version spells them (5.2.1 wrote `ExecutionDoesNotExist`, 5.2.6 `AWSStepFunctions#...`).
# A venv made without these pins is made anew (the stamp names them).
MOTO_VENV = .build/venv-moto
MOTO_STAMP = $(MOTO_VENV)/made-moto-5.2.6-botocore-1.43
$(MOTO_STAMP):
	@command -v python3 >/dev/null 2>&1 && python3 -c 'import venv, ensurepip' 2>/dev/null || { \
	  echo "make: installing python3-venv"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq python3 python3-venv >/dev/null; }
	rm -rf $(MOTO_VENV)
	python3 -m venv $(MOTO_VENV)
	$(MOTO_VENV)/bin/pip install -q 'moto[server]==5.2.6' 'boto3<1.44' 'botocore<1.44'
	touch $(MOTO_STAMP)

# Each layer is a target that may import only the targets Package.swift gives it; this makes
# SwiftPM refuse an import it was not given (a plain `swift build` refuses only a cycle).
LAYERS = --explicit-target-dependency-import-check error

build: deps
	$(SWIFT) build $(LAYERS)

# A release build says which commit it was built from and when: SwiftPM has no build-time
# variables, so this writes them into a Swift file git ignores and compiles it in with
# -DJOBCTL_BUILD_STAMP (any other build, a plain `swift build` too, says "unknown"). The date is
# the commit's (SOURCE_DATE_EPOCH when set), so one commit builds the same binary twice; a tree
# with uncommitted changes says so (-dirty).
STAMP_FILE = Sources/JobctlSupport/BuildStamp.generated.swift
STAMP_FLAGS = -Xswiftc -DJOBCTL_BUILD_STAMP
release: deps
	@commit="$$(git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)"; \
	epoch="$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null)}"; \
	date="$$( [ -n "$$epoch" ] && date -u -d "@$$epoch" +%Y-%m-%dT%H:%M:%SZ || echo unknown)"; \
	printf '%s\n' '// Written by `make release`; not tracked.' '#if JOBCTL_BUILD_STAMP' \
	  'enum BuildStamp {' "  static let commit = \"$$commit\"" "  static let date = \"$$date\"" '}' '#endif' \
	  > $(STAMP_FILE).new; \
	cmp -s $(STAMP_FILE).new $(STAMP_FILE) && rm -f $(STAMP_FILE).new || mv $(STAMP_FILE).new $(STAMP_FILE)
	$(SWIFT) build -c release --product jobctl $(LAYERS) $(STAMP_FLAGS)

test: deps lint
	$(SWIFT) build --build-tests $(LAYERS)
	$(SWIFT) test --skip-build

# The whole suite under AddressSanitizer, built apart in .build-asan. The end-to-end tests run the
# ASan-built jobctl beside the test bundle, with these options passed on, and fail on any report.
# halt_on_error: the first error ends the process; exitcode=86: no jobctl exit code, so a test that
# expects 1 ("the job failed") cannot mistake a memory error for it; detect_leaks: LeakSanitizer
# checks the test runner and every jobctl at exit; lsan.supp names each toolchain leak it ignores.
# SWIFT_BACKTRACE=enable=no: under ASan the runtime's crash backtracer trips ASan itself, turning a
# Swift trap into a misleading heap-buffer-overflow (or a hung `swift test`). lld: gold prints
# hundreds of harmless "Cannot export local symbol '__asan_...'" warnings.
ASAN_BUILD = --sanitize=address --scratch-path .build-asan -Xswiftc -use-ld=lld
ASAN_ENV = ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:exitcode=86 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/Sanitizers/lsan.supp:print_suppressions=0 \
	SWIFT_BACKTRACE=enable=no

test-asan: deps
	$(SWIFT) build --build-tests $(LAYERS) $(ASAN_BUILD)
	$(ASAN_ENV) $(SWIFT) test --skip-build $(ASAN_BUILD)

# A long wait shows no leak: jobctl under valgrind against jobsim, 100 and 2,000 polls, one job and
# ten jobs, and a status; fails on any byte definitely lost, any valgrind error, or heap that grows
# with the number of polls. Prints a table of what valgrind found.
leak-check: build
	Tests/Sanitizers/leak-check.sh "$$($(SWIFT) build --show-bin-path)"

# Style: the toolchain's swift-format with .swift-format (2-space indent, no force unwraps, ...).
lint:
	$(SWIFT) format lint --strict -r Sources Tests Package.swift Fuzz/Package.swift Fuzz/Sources

format:
	$(SWIFT) format format -i -r Sources Tests Package.swift Fuzz/Package.swift Fuzz/Sources

# Starts the bundled simulator on 127.0.0.1 and waits on jobs of every shape against it.
demo: build
	@bin="$$($(SWIFT) build --show-bin-path)"; dir="$$(mktemp -d)"; \
	"$$bin/jobsim" --port 0 --port-file "$$dir/port" --speed 2 --quiet & sim=$$!; \
	trap 'kill $$sim 2>/dev/null; rm -rf "$$dir"' EXIT INT TERM; \
	for i in $$(seq 100); do [ -s "$$dir/port" ] && break; sleep 0.1; done; \
	[ -s "$$dir/port" ] || { echo "make: jobsim did not start" >&2; exit 1; }; \
	export JOBCTL_BASE_URL="http://127.0.0.1:$$(cat "$$dir/port")"; set -e; \
	echo "== jobsim is serving simulated jobs at $$JOBCTL_BASE_URL"; \
	echo; echo "== jobctl start /staged/jobs --data '{\"report\":\"q3\"}' --wait --interval 500ms"; \
	"$$bin/jobctl" start /staged/jobs --data '{"report":"q3"}' --wait --interval 500ms --progress plain; \
	echo; echo "== jobctl start /api/autoassign --form q=all --wait --json (HotCRP, through job_url)"; \
	"$$bin/jobctl" start /api/autoassign --form autoassigner=review --form q=all --wait --json --interval 500ms; \
	echo; echo "== ID=\$$(jobctl start /simple/jobs); jobctl wait \$$ID --field result.address"; \
	id=$$("$$bin/jobctl" start /simple/jobs --data '{}'); \
	"$$bin/jobctl" wait "$$id" --field result.address --interval 500ms -q; \
	echo; echo "== jobctl list --limit 5"; \
	"$$bin/jobctl" list --limit 5; \
	echo; echo "== jobctl wait /organizations/demo/members/job/import-fail-1 (an import that fails)"; \
	rc=0; "$$bin/jobctl" wait /organizations/demo/members/job/import-fail-1 --interval 500ms || rc=$$?; \
	echo "== exit code $$rc (1: the job failed)"; [ $$rc -eq 1 ]; \
	echo; echo "== jobctl start /things/demo --method PUT --dialect azure-operation --wait (a named API; api-version in the base URL)"; \
	"$$bin/jobctl" start /things/demo --method PUT --data '{}' --dialect azure-operation --wait --interval 500ms \
	  --progress plain --base-url "$$JOBCTL_BASE_URL/azure?api-version=2024-01-01"; \
	echo; echo "== jobctl wait batch_demo --completed-when status=completed --failed-when status=failed --running-when ... (a shape described with flags)"; \
	"$$bin/jobctl" wait batch_demo --base-url "$$JOBCTL_BASE_URL/v1" --jobs-path '/batches/{id}' \
	  --completed-when status=completed --failed-when status=failed,expired,cancelled \
	  --running-when status=validating,in_progress,finalizing,cancelling \
	  --progress-path 'request_counts.completed / request_counts.total' --interval 500ms --progress plain; \
	echo; echo "== jobctl is $$bin/jobctl (not on PATH). To run it as jobctl:"; \
	echo "   make install PREFIX=\$$HOME/.local   (then ~/.local/bin on PATH: export PATH=\"\$$HOME/.local/bin:\$$PATH\")"; \
	echo "   or, for this shell: export PATH=\"$$bin:\$$PATH\""

# Speed and memory against curl | jq, a Python requests loop and curl's keep-alive floor (prints a
# table; asserts nothing). Needs curl and jq for the comparisons, python3 with requests.
bench: release
	python3 Tests/Benchmarks/bench.py "$$($(SWIFT) build -c release --show-bin-path)/jobctl"

# libFuzzer targets for the parsers (the Fuzz/ package, outside the main build): builds them with
# -sanitize=fuzzer and runs each for FUZZ_SECONDS on a temporary copy of its seed corpus
# (Fuzz/corpus/TARGET), so the committed seeds never grow. Logs and any crashing, hanging or
# invariant-breaking input go to .build-fuzz/artifacts/TARGET/; exits 1 if any target found one.
FUZZ_SECONDS ?= 30
# Every folder of Fuzz/Sources but the shared support code is a target (Fuzz/Package.swift reads
# the folders too; SwiftPM's manifest cache would hide a new one, hence --manifest-cache none).
FUZZ_TARGETS ?= $(filter-out FuzzSupport,$(notdir $(wildcard Fuzz/Sources/*)))
FUZZ_BUILD = $(SWIFT) build --package-path Fuzz --scratch-path .build-fuzz --manifest-cache none -c release \
	-Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -enable-testing

fuzz: deps
	$(FUZZ_BUILD)
	@bin="$$($(FUZZ_BUILD) --show-bin-path)"; work="$$(mktemp -d)"; failed=""; \
	trap 'rm -rf "$$work"' EXIT INT TERM; \
	for t in $(FUZZ_TARGETS); do \
	  art=".build-fuzz/artifacts/$$t"; rm -rf "$$art"; mkdir -p "$$art" "$$work/$$t"; cp Fuzz/corpus/$$t/* "$$work/$$t/"; \
	  echo "== fuzz-$$t for $(FUZZ_SECONDS)s (log: $$art/log)"; \
	  if SWIFT_BACKTRACE=enable=no "$$bin/fuzz-$$t" "$$work/$$t" -dict=Fuzz/dict/$$t.dict -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	      -max_len=4096 -print_final_stats=1 -artifact_prefix="$$art/" >"$$art/log" 2>&1; then \
	    grep -E '^(Done|stat::number_of_executed_units|#[0-9]+ +DONE)' "$$art/log" | tr '\n' ' '; echo; \
	  else \
	    failed="$$failed $$t"; grep -a -E 'Fatal error|ERROR: libFuzzer|^SUMMARY|Test unit written' "$$art/log"; \
	  fi; \
	done; \
	[ -z "$$failed" ] || { echo "make: fuzzing found problems in:$$failed (inputs in .build-fuzz/artifacts/)" >&2; exit 1; }

install: release
	install -D -m 755 "$$($(SWIFT) build -c release --show-bin-path)/jobctl" "$(BINDIR)/jobctl"
	install -D -m 644 man/jobctl.1 "$(MANDIR)/jobctl.1"
	install -D -m 644 completions/jobctl.bash "$(BASHDIR)/jobctl"
	install -D -m 644 completions/_jobctl "$(ZSHDIR)/_jobctl"
	install -D -m 644 completions/jobctl.fish "$(FISHDIR)/jobctl.fish"

# A Debian package of the release build (dpkg-deb; no Swift needed where it is installed), in
# .build/deb: the binary (stripped), the manual and the completions in Debian's places, the
# copyright file and changelog, Depends on libcurl 7.85 or later. DEB_MAINTAINER is the package's
# Maintainer (and the changelog's signer): set it to who ships the package, e.g.
# `make deb DEB_MAINTAINER='Ada Lovelace <ada@example.org>'`.
DEB_OUT = .build/deb
DEB_MAINTAINER ?= jobctl maintainers <maintainers@users.noreply.b-seed-d55a7c02.example>
deb: release
	@mkdir -p $(DEB_OUT)
	@deb="$$(DEB_MAINTAINER='$(DEB_MAINTAINER)' Tests/Packaging/build-deb.sh "$$($(SWIFT) build -c release --show-bin-path)" $(DEB_OUT))"; \
	echo "make: built $$deb (install: sudo apt install ./$$deb)"

# Checks the package's fields and files, runs lintian on it, and runs a real wait with the jobctl
# unpacked from it.
test-deb: deb build
	DEB_MAINTAINER='$(DEB_MAINTAINER)' Tests/Packaging/test-deb.sh "$$(ls -t $(DEB_OUT)/jobctl_*.deb | head -1)" "$$($(SWIFT) build --show-bin-path)"

uninstall:
	rm -f "$(BINDIR)/jobctl" "$(MANDIR)/jobctl.1" "$(BASHDIR)/jobctl" "$(ZSHDIR)/_jobctl" "$(FISHDIR)/jobctl.fish"

clean:
	rm -rf .build .build-asan .build-fuzz $(STAMP_FILE)
