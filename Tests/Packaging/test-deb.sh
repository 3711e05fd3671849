#!/bin/sh
# Checks the Debian package: its fields and exactly its files (dpkg-deb --info, --contents), its
# copyright file and changelog, a stripped binary, what lintian says of it, and that the jobctl
# unpacked from it (dpkg-deb -x into a temporary folder, nothing installed) runs a real wait
# against the bundled simulator.
#
# usage: DEB_MAINTAINER='Name <address>' Tests/Packaging/test-deb.sh DEB BIN_DIR
#   DEB             the package (make deb)
#   BIN_DIR         a folder holding jobsim (`swift build --show-bin-path`)
#   DEB_MAINTAINER  the Maintainer the package was built with (the Makefile's variable)
set -eu

deb=${1:?usage: test-deb.sh DEB BIN_DIR}
bin=${2:?usage: test-deb.sh DEB BIN_DIR}
maintainer=${DEB_MAINTAINER:?test-deb: set DEB_MAINTAINER (make test-deb sets it from the Makefile)}
fail() { echo "test-deb: $*" >&2; exit 1; }

dir=$(mktemp -d)
sim=
trap '[ -z "$sim" ] || kill $sim 2>/dev/null || true; rm -rf "$dir"' EXIT INT TERM

# Fields.
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = jobctl ] || fail "Package is '$(field Package)'"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture is '$(field Architecture)'"
# libcurl 7.85 or later (the README's minimum), under either of its package names.
[ "$(field Depends)" = "libc6, libgcc-s1, libstdc++6, libcurl4 (>= 7.85) | libcurl4t64" ] || fail "Depends is '$(field Depends)'"
# The Maintainer is the one the Makefile names, a name and an address, and no placeholder.
[ "$(field Maintainer)" = "$maintainer" ] || fail "Maintainer is '$(field Maintainer)', not DEB_MAINTAINER '$maintainer'"
case $(field Maintainer) in
  ?*' <'?*@?*.?*'>') ;;
  *) fail "Maintainer '$(field Maintainer)' is not 'Name <address>'" ;;
esac
if field Maintainer | grep -Eiq 'todo|fixme|changeme|placeholder|your name|you@|@localhost|@example\.(com|org|net)>|jobctl@users\.noreply\.github\.com'; then
  fail "Maintainer '$(field Maintainer)' is a placeholder"
fi
# A Debian revision on the upstream version (changelog.Debian.gz, not a native package's changelog.gz).
case $(field Version) in
  [0-9]*-[0-9]*) ;;
  *) fail "Version '$(field Version)' has no Debian revision" ;;
esac
for f in Maintainer Installed-Size Section Priority Description; do
  [ -n "$(field $f)" ] || fail "no $f field"
done
dpkg-deb --info "$deb" >"$dir/info"
grep -q '^ Package: jobctl$' "$dir/info" || fail "dpkg-deb --info shows no Package line"

# Files: exactly these, root-owned, with these modes.
dpkg-deb --contents "$deb" | awk '$1 !~ /^d/ { print $1, $2, $6 }' | sort >"$dir/files"
cat >"$dir/expected" <<LIST
-rw-r--r-- root/root ./usr/share/bash-completion/completions/jobctl
-rw-r--r-- root/root ./usr/share/doc/jobctl/changelog.Debian.gz
-rw-r--r-- root/root ./usr/share/doc/jobctl/copyright
-rw-r--r-- root/root ./usr/share/fish/vendor_completions.d/jobctl.fish
-rw-r--r-- root/root ./usr/share/lintian/overrides/jobctl
-rw-r--r-- root/root ./usr/share/man/man1/jobctl.1.gz
-rw-r--r-- root/root ./usr/share/zsh/vendor-completions/_jobctl
-rwxr-xr-x root/root ./usr/bin/jobctl
LIST
sort -o "$dir/expected" "$dir/expected"
diff -u "$dir/expected" "$dir/files" >&2 || fail "the package holds other files than these"

# Unpacked, the binary runs without Swift: its version is the package's, it needs no Swift
# library, and it waits for a real job.
dpkg-deb -x "$deb" "$dir/root"
jobctl="$dir/root/usr/bin/jobctl"
upstream=$(field Version); upstream=${upstream%-*}
case $("$jobctl" version | head -1) in
  "jobctl $upstream" | "jobctl $upstream "*) ;;
  *) fail "jobctl version ('$("$jobctl" version | head -1)') is not $upstream, the package's upstream version" ;;
esac
# Stripped as dh_strip strips: no symbol table and no debug sections (readelf names the sections).
sections=$(readelf -S -W "$jobctl" | sed -n 's/^ *\[ *[0-9]*\] \([^ ]*\).*/\1/p')
[ -n "$sections" ] || fail "readelf lists no sections of jobctl"
if printf '%s\n' $sections | grep -Eq '^(\.symtab|\.strtab|\.debug_.*|\.zdebug_.*)$'; then
  fail "jobctl is not stripped: $(printf '%s\n' $sections | grep -E '^(\.symtab|\.strtab|\.debug_|\.zdebug_)' | tr '\n' ' ')"
fi
file "$jobctl" | grep -q ', stripped' || fail "file says jobctl is not stripped: $(file -b "$jobctl")"
# The copyright file: machine-readable (DEP-5), Apache-2.0, pointing at Debian's copy of its text
# (the same text as the repository's LICENSE).
copyright="$dir/root/usr/share/doc/jobctl/copyright"
head -1 "$copyright" | grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' ||
  fail "the copyright file is not in the machine-readable format"
grep -qx 'Upstream-Name: jobctl' "$copyright" || fail "the copyright file names no Upstream-Name jobctl"
grep -qx 'Files: \*' "$copyright" || fail "the copyright file has no 'Files: *' paragraph"
grep -q '^Copyright: [0-9]' "$copyright" || fail "the copyright file has no Copyright line"
[ "$(grep -c '^License: Apache-2.0$' "$copyright")" -eq 2 ] || fail "the copyright file does not name and state Apache-2.0"
grep -q "/usr/share/common-licenses/Apache-2.0" "$copyright" || fail "the copyright file does not point at /usr/share/common-licenses/Apache-2.0"
cmp -s LICENSE /usr/share/common-licenses/Apache-2.0 || fail "LICENSE is not the Apache License 2.0 text of /usr/share/common-licenses/Apache-2.0"
# The changelog: gzip -9n (no name, no time stamp), its first entry this version, signed by the Maintainer.
changelog="$dir/root/usr/share/doc/jobctl/changelog.Debian.gz"
gzip -t "$changelog" || fail "changelog.Debian.gz is not gzip"
[ "$(od -An -tx1 -j4 -N4 "$changelog" | tr -d ' ')" = 00000000 ] || fail "changelog.Debian.gz carries a time stamp (not gzip -n)"
[ "$(od -An -tx1 -j3 -N1 "$changelog" | tr -d ' ')" = 00 ] || fail "changelog.Debian.gz carries a file name (not gzip -n)"
zcat "$changelog" | head -1 | grep -qx "jobctl ($(field Version)) unstable; urgency=medium" ||
  fail "the changelog's first line is '$(zcat "$changelog" | head -1)'"
zcat "$changelog" | grep -q "^ -- $maintainer  [A-Z][a-z][a-z], [0-9][0-9] [A-Z][a-z][a-z] [0-9]\{4\} [0-9:]\{8\} +0000\$" ||
  fail "the changelog is not signed by '$maintainer' with a date"
# lintian, Debian's package checker: no error and no warning (the few tags the package overrides
# are in usr/share/lintian/overrides/jobctl, each with its reason). --fail-on warning makes any
# error or warning (not overridden) fail it; the output is shown either way. (With
# --show-overrides, lintian 2.116 exits 2 on an overridden warning too.)
lintian --version >/dev/null 2>&1 || fail "lintian is missing (make deps installs it)"
rc=0
lintian --fail-on error,warning --display-info "$deb" >"$dir/lintian" 2>&1 || rc=$?
sed 's/^/test-deb: lintian: /' "$dir/lintian" >&2
[ $rc -eq 0 ] || fail "lintian found errors or warnings (exit $rc)"
if grep -Eq "^(E|W): " "$dir/lintian"; then fail "lintian reported an error or a warning"; fi
# make deb builds with make release, which stamps the commit in.
if "$jobctl" version --json | grep -q '"commit":"unknown"'; then fail "jobctl version names no commit"; fi
# Every library the binary names (NEEDED) comes from a package that Depends lists, so a system
# without it refuses the package instead of installing a jobctl that cannot start.
depends=$(field Depends)
for lib in $(readelf -d "$jobctl" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  path=$(ldd "$jobctl" | awk -v l="$lib" '$1 == l { print $3 }')
  [ -n "$path" ] || case "$lib" in ld-linux*) continue ;; *) fail "ldd does not resolve $lib" ;; esac
  real=$(readlink -f "$path")
  pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$real" 2>/dev/null || dpkg -S "${real#/usr}" 2>/dev/null || dpkg -S "${path#/usr}" 2>/dev/null || true)
  pkg=${pkg%%:*}
  [ -n "$pkg" ] || fail "no package owns $lib ($path)"
  printf '%s\n' $(echo "$depends" | tr ',|' '  ') | grep -qx "$pkg" ||
    fail "$lib comes from $pkg, which Depends ($depends) does not list"
done
if ldd "$jobctl" | grep -q libswift; then fail "jobctl needs Swift libraries: $(ldd "$jobctl" | grep libswift)"; fi
zcat "$dir/root/usr/share/man/man1/jobctl.1.gz" | cmp -s - man/jobctl.1 || fail "the manual differs from man/jobctl.1"
cmp -s "$dir/root/usr/share/bash-completion/completions/jobctl" completions/jobctl.bash || fail "bash completion differs"

"$bin/jobsim" --port 0 --port-file "$dir/port" --speed 10 --quiet >/dev/null &
sim=$!
for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.1; done
[ -s "$dir/port" ] || fail "jobsim did not start"
base="http://127.0.0.1:$(cat "$dir/port")"
rc=0
address=$(env -i PATH=/usr/bin:/bin HOME="$dir" "$jobctl" wait simple-deb-1 --base-url "$base" \
  --interval 200ms --timeout 60s --field result.address) || rc=$?
[ $rc -eq 0 ] || fail "the unpacked jobctl's wait exited $rc"
case $address in 0x*) ;; *) fail "the wait printed '$address', not an address" ;; esac
rc=0
env -i PATH=/usr/bin:/bin HOME="$dir" "$jobctl" wait simple-fail-deb --base-url "$base" --interval 200ms \
  --timeout 60s --progress none >/dev/null 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "a failing job's wait exited $rc, not 1"
echo "test-deb: $deb is good ($(field Version), $(dpkg-deb --contents "$deb" | awk '$1 !~ /^d/' | wc -l) files, a real wait passed)"
