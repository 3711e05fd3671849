#!/bin/sh
# Builds the Debian package of jobctl from the release build, with dpkg-deb alone (no debian/
# folder, no debhelper): the binary (the Swift runtime linked in statically), the manual and the
# three completions in the places Debian's packages use for them.
#
# usage: Tests/Packaging/build-deb.sh RELEASE_BIN_DIR OUT_DIR
#   prints the path of the package it made: OUT_DIR/jobctl_VERSION_ARCH.deb
set -eu

bin=${1:?usage: build-deb.sh RELEASE_BIN_DIR OUT_DIR}
out=${2:?usage: build-deb.sh RELEASE_BIN_DIR OUT_DIR}
version=$("$bin/jobctl" version | sed -n 's/^jobctl //p')
[ -n "$version" ] || { echo "build-deb: 'jobctl version' printed no version" >&2; exit 1; }
arch=$(dpkg --print-architecture)

root="$out/root"
rm -rf "$root"
install -D -m 755 "$bin/jobctl" "$root/usr/bin/jobctl"
install -d "$root/usr/share/man/man1"
gzip -9n <man/jobctl.1 >"$root/usr/share/man/man1/jobctl.1.gz"
chmod 644 "$root/usr/share/man/man1/jobctl.1.gz"
install -D -m 644 completions/jobctl.bash "$root/usr/share/bash-completion/completions/jobctl"
install -D -m 644 completions/_jobctl "$root/usr/share/zsh/vendor-completions/_jobctl"
install -D -m 644 completions/jobctl.fish "$root/usr/share/fish/vendor_completions.d/jobctl.fish"

# What the binary links (ldd): the C and C++ runtimes (the Swift runtime itself is linked in) and
# libcurl, which Ubuntu 24.04 renamed libcurl4t64. test-deb.sh checks the list against ldd.
install -d "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<CONTROL
Package: jobctl
Version: $version
Architecture: $arch
Maintainer: jobctl developers <jobctl@users.noreply.github.com>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: libc6, libgcc-s1, libstdc++6, libcurl4 | libcurl4t64
Section: utils
Priority: optional
Description: wait for asynchronous HTTP jobs
 jobctl starts, waits for, cancels and lists the jobs of HTTP APIs that answer a long request
 with a job id: it polls with backoff, honours Retry-After, and exits with a code that tells
 how the job ended.
CONTROL

deb="$out/jobctl_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
