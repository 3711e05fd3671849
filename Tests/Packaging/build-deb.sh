#!/bin/sh
# Builds the Debian package of jobctl from the release build, with dpkg-deb alone (no debian/
# folder, no debhelper): the binary (the Swift runtime linked in statically, stripped as dh_strip
# strips), the manual and the three completions in the places Debian's packages use for them, the
# copyright file (machine-readable, DEP-5) and the Debian changelog in /usr/share/doc/jobctl, and
# the lintian overrides the package needs (each with the reason).
#
# usage: DEB_MAINTAINER='Name <address>' Tests/Packaging/build-deb.sh RELEASE_BIN_DIR OUT_DIR
#   prints the path of the package it made: OUT_DIR/jobctl_VERSION-1_ARCH.deb
#   DEB_MAINTAINER comes from the Makefile (its one definition); SOURCE_DATE_EPOCH, when set,
#   dates the changelog (otherwise the last commit's time), so two builds of a commit agree.
set -eu

bin=${1:?usage: build-deb.sh RELEASE_BIN_DIR OUT_DIR}
out=${2:?usage: build-deb.sh RELEASE_BIN_DIR OUT_DIR}
maintainer=${DEB_MAINTAINER:?build-deb: set DEB_MAINTAINER (make deb sets it from the Makefile)}
case $maintainer in
  *?' <'?*@?*'>') ;;
  *) echo "build-deb: DEB_MAINTAINER '$maintainer' is not 'Name <address>'" >&2; exit 1 ;;
esac
# The first word after "jobctl " on the first line of `jobctl version` is the upstream version;
# "-1" is the Debian revision (a package of upstream's release, not a Debian-native package, so
# its changelog is changelog.Debian.gz).
upstream=$("$bin/jobctl" version | sed -n '1s/^jobctl \([^ ]*\).*/\1/p')
[ -n "$upstream" ] || { echo "build-deb: 'jobctl version' printed no version" >&2; exit 1; }
version="$upstream-1"
arch=$(dpkg --print-architecture)
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
first=$(git log --reverse --format=%cd --date=format:%Y 2>/dev/null | head -1)
last=$(date -u -d "@$epoch" +%Y)
years=${first:-$last}
[ "$years" = "$last" ] || years="$years-$last"

root="$out/root"
rm -rf "$root"
install -d "$root/usr/bin"
# What dh_strip does to an executable: no symbol table, no debug sections, no .comment/.note.
strip --remove-section=.comment --remove-section=.note --strip-unneeded -o "$root/usr/bin/jobctl" "$bin/jobctl"
chmod 755 "$root/usr/bin/jobctl"
install -d "$root/usr/share/man/man1"
gzip -9n <man/jobctl.1 >"$root/usr/share/man/man1/jobctl.1.gz"
chmod 644 "$root/usr/share/man/man1/jobctl.1.gz"
install -D -m 644 completions/jobctl.bash "$root/usr/share/bash-completion/completions/jobctl"
install -D -m 644 completions/_jobctl "$root/usr/share/zsh/vendor-completions/_jobctl"
install -D -m 644 completions/jobctl.fish "$root/usr/share/fish/vendor_completions.d/jobctl.fish"

doc="$root/usr/share/doc/jobctl"
install -d "$doc"
cat >"$doc/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: jobctl
Upstream-Contact: $maintainer
Comment: The binary links the Swift runtime and Foundation statically; they are
 Copyright Apple Inc. and the Swift project authors, under the Apache License 2.0
 with the Runtime Library Exception (which waives the attribution otherwise
 required of binaries they are embedded in).

Files: *
Copyright: $years The jobctl authors
License: Apache-2.0

License: Apache-2.0
 Licensed under the Apache License, Version 2.0 (the "License");
 you may not use this file except in compliance with the License.
 You may obtain a copy of the License at
 .
     http://www.apache.org/licenses/LICENSE-2.0
 .
 Unless required by applicable law or agreed to in writing, software
 distributed under the License is distributed on an "AS IS" BASIS,
 WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 See the License for the specific language governing permissions and
 limitations under the License.
 .
 On Debian systems, the full text of the Apache License, Version 2.0 can be
 found in the file '/usr/share/common-licenses/Apache-2.0'.
COPYRIGHT
chmod 644 "$doc/copyright"
cat <<CHANGELOG | gzip -9n >"$doc/changelog.Debian.gz"
jobctl ($version) unstable; urgency=medium

  * Package of jobctl $upstream, built from the release build with dpkg-deb
    (Tests/Packaging/build-deb.sh).

 -- $maintainer  $(LC_ALL=C date -u -R -d "@$epoch")
CHANGELOG
chmod 644 "$doc/changelog.Debian.gz"

# lintian's overrides: only tags that cannot be honestly fixed, each with the reason.
install -d "$root/usr/share/lintian/overrides"
cat >"$root/usr/share/lintian/overrides/jobctl" <<'OVERRIDES'
# This package is built outside the Debian archive (make deb) and installed with apt from the
# file; it is not uploaded to Debian, so its first changelog entry has no ITP bug to close.
jobctl: initial-upload-closes-no-bugs
OVERRIDES
chmod 644 "$root/usr/share/lintian/overrides/jobctl"

# What the binary links (ldd): the C and C++ runtimes (the Swift runtime itself is linked in) and
# libcurl 7.85 or later (the README's minimum: jobctl checks every safety option it sets), which
# Debian 13 and Ubuntu 24.04 call libcurl4t64. test-deb.sh checks the list against readelf.
install -d "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<CONTROL
Package: jobctl
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: libc6, libgcc-s1, libstdc++6, libcurl4 (>= 7.85) | libcurl4t64
Section: utils
Priority: optional
Description: wait for asynchronous HTTP jobs
 jobctl starts, waits for, cancels and lists the jobs of HTTP APIs that
 answer a long request with a job id: it polls with backoff, honours
 Retry-After, and exits with a code that tells how the job ended.
CONTROL

# The files' checksums, as dpkg records them (debsums checks an installed package with them).
(cd "$root" && find usr -type f | LC_ALL=C sort | xargs md5sum) >"$root/DEBIAN/md5sums"
chmod 644 "$root/DEBIAN/md5sums"

deb="$out/jobctl_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
