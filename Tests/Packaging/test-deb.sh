#!/bin/sh
# Checks the Debian package: its fields and exactly its files (dpkg-deb --info, --contents), and
# that the jobctl unpacked from it (dpkg-deb -x into a temporary folder, nothing installed) runs a
# real wait against the bundled simulator.
#
# usage: Tests/Packaging/test-deb.sh DEB BIN_DIR
#   DEB      the package (make deb)
#   BIN_DIR  a folder holding jobsim (`swift build --show-bin-path`)
set -eu

deb=${1:?usage: test-deb.sh DEB BIN_DIR}
bin=${2:?usage: test-deb.sh DEB BIN_DIR}
fail() { echo "test-deb: $*" >&2; exit 1; }

dir=$(mktemp -d)
sim=
trap '[ -z "$sim" ] || kill $sim 2>/dev/null || true; rm -rf "$dir"' EXIT INT TERM

# Fields.
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = jobctl ] || fail "Package is '$(field Package)'"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture is '$(field Architecture)'"
[ "$(field Depends)" = "libc6, libgcc-s1, libstdc++6, libcurl4 | libcurl4t64" ] || fail "Depends is '$(field Depends)'"
for f in Maintainer Installed-Size Section Priority Description; do
  [ -n "$(field $f)" ] || fail "no $f field"
done
dpkg-deb --info "$deb" >"$dir/info"
grep -q '^ Package: jobctl$' "$dir/info" || fail "dpkg-deb --info shows no Package line"

# Files: exactly these, root-owned, with these modes.
dpkg-deb --contents "$deb" | awk '$1 !~ /^d/ { print $1, $2, $6 }' | sort >"$dir/files"
cat >"$dir/expected" <<LIST
-rw-r--r-- root/root ./usr/share/bash-completion/completions/jobctl
-rw-r--r-- root/root ./usr/share/fish/vendor_completions.d/jobctl.fish
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
[ "$("$jobctl" version | head -n 1)" = "jobctl $(field Version)" ] || fail "jobctl version is not $(field Version)"
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
