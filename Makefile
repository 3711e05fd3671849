# jobctl: what people type. `make demo` and `make test` work on a fresh Debian/Ubuntu machine
# with Swift installed; `deps` installs the libcurl headers when they are missing.

PREFIX ?= /usr/local
DESTDIR ?=
SWIFT ?= swift
BINDIR = $(DESTDIR)$(PREFIX)/bin
MANDIR = $(DESTDIR)$(PREFIX)/share/man/man1

.PHONY: all deps build release test lint format demo install uninstall clean

all: build

# libcurl's headers (and pkg-config, which SwiftPM uses to find them); the openssl tool, which
# the TLS tests use to make a certificate and serve HTTPS.
deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists libcurl || \
	    ! command -v openssl >/dev/null 2>&1; then \
	  echo "make: installing libcurl4-openssl-dev, pkg-config and openssl"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libcurl4-openssl-dev pkg-config openssl >/dev/null; \
	fi
	@pkg-config --exists libcurl || { echo "make: libcurl headers still missing" >&2; exit 1; }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product jobctl

test: deps lint
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Style: the toolchain's swift-format with .swift-format (2-space indent, no force unwraps, ...).
lint:
	$(SWIFT) format lint --strict -r Sources Tests Package.swift

format:
	$(SWIFT) format format -i -r Sources Tests Package.swift

# Starts the bundled simulator on 127.0.0.1 and waits on jobs of every shape against it.
demo: build
	@bin="$$($(SWIFT) build --show-bin-path)"; dir="$$(mktemp -d)"; \
	"$$bin/jobsim" --port 0 --port-file "$$dir/port" --speed 2 --quiet & sim=$$!; \
	trap 'kill $$sim 2>/dev/null; rm -rf "$$dir"' EXIT INT TERM; \
	for i in $$(seq 100); do [ -s "$$dir/port" ] && break; sleep 0.1; done; \
	[ -s "$$dir/port" ] || { echo "make: jobsim did not start" >&2; exit 1; }; \
	base="http://127.0.0.1:$$(cat "$$dir/port")"; n=$$$$; \
	echo "== jobsim is serving simulated jobs at $$base"; \
	echo "== jobctl wait staged-$$n --base-url $$base --interval 500ms"; \
	"$$bin/jobctl" wait "staged-$$n" --base-url "$$base" --interval 500ms --progress plain; \
	echo "== jobctl wait hcj_$$n --base-url $$base/api --dialect hotcrp --json"; \
	"$$bin/jobctl" wait "hcj_$$n" --base-url "$$base/api" --dialect hotcrp --interval 500ms --json; \
	echo "== jobctl wait simple-$$n --field result.address"; \
	"$$bin/jobctl" wait "simple-$$n" --base-url "$$base" --interval 500ms --field result.address -q; \
	echo "== jobctl wait /organizations/demo/members/job/import-fail-$$n (a failing import)"; \
	"$$bin/jobctl" wait "/organizations/demo/members/job/import-fail-$$n" --base-url "$$base" --interval 500ms; \
	echo "== exit code $$? (1: the job failed)"

install: release
	install -D -m 755 "$$($(SWIFT) build -c release --show-bin-path)/jobctl" "$(BINDIR)/jobctl"
	install -D -m 644 man/jobctl.1 "$(MANDIR)/jobctl.1"

uninstall:
	rm -f "$(BINDIR)/jobctl" "$(MANDIR)/jobctl.1"

clean:
	rm -rf .build
