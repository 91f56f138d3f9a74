#!/usr/bin/env bash
# Release builds: a static, stripped wsreplay for every platform users
# install on, and the SHA-256 sums of them all, in one command:
#
#   deploy/release.sh [OUTDIR]            # OUTDIR defaults to dist/
#   VERSION=v1.2.3 deploy/release.sh      # the version to stamp (default:
#                                         # git describe, or a pseudo-version)
#   PLATFORMS="linux/arm64" deploy/release.sh /tmp/out   # some platforms only
#
# Each binary is built with CGO_ENABLED=0 (static: no libc needed),
# -trimpath (no build machine paths), -ldflags "-s -w" (no symbol table, no
# DWARF), and the version and commit stamped in, so that `wsreplay
# --version` prints "wsreplay version VERSION (commit HASH)". Files:
# OUTDIR/wsreplay-VERSION-GOOS-GOARCH[.exe] and OUTDIR/SHA256SUMS, in
# sha256sum's format (check: cd OUTDIR && sha256sum -c SHA256SUMS).
# deploy/build-image.sh builds the container image's binary with this script.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
out=${1:-dist}
platforms=${PLATFORMS:-"darwin/amd64 darwin/arm64 windows/amd64 windows/arm64 linux/amd64 linux/arm64 freebsd/amd64"}

commit=$(git rev-parse HEAD)
dirty=""
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then dirty="+dirty"; fi
if [ -z "${VERSION:-}" ]; then
	# The last v* tag, or a Go pseudo-version of the commit without one.
	VERSION=$(git describe --tags --match 'v*' --dirty=+dirty 2>/dev/null) ||
		VERSION="v0.0.0-$(TZ=UTC git log -1 --date=format-local:%Y%m%d%H%M%S --format=%cd)-${commit:0:12}$dirty"
fi
case "$VERSION" in *[!A-Za-z0-9.+_-]*) echo "release: VERSION $VERSION has characters a file name should not" >&2; exit 2 ;; esac

mkdir -p "$out"
rm -f "$out"/wsreplay-* "$out/SHA256SUMS"
for p in $platforms; do
	goos=${p%/*} goarch=${p#*/}
	name="wsreplay-$VERSION-$goos-$goarch"
	[ "$goos" = windows ] && name="$name.exe"
	echo "release: $name"
	CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath -buildvcs=false \
		-ldflags "-s -w -X main.releaseVersion=$VERSION -X main.releaseCommit=$commit" \
		-o "$out/$name" ./cmd/wsreplay
done
if command -v sha256sum >/dev/null; then sum() { sha256sum "$@"; }; else sum() { shasum -a 256 "$@"; }; fi
(cd "$out" && sum wsreplay-* >SHA256SUMS)
echo "release: $VERSION (commit $commit) in $out:"
cat "$out/SHA256SUMS"
