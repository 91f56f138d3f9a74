#!/usr/bin/env bash
# Builds the wsreplay image from the Containerfile at the top of the
# repository, with buildah and no base image, then checks what it holds:
#
#   deploy/build-image.sh                # tags localhost/wsreplay:dev
#   IMAGE=registry.example/wsreplay:1.2 deploy/build-image.sh
#
# The binary is built here, outside the image, by deploy/release.sh
# (static, stripped, its version and commit stamped in; VERSION as that
# script takes it), and copied in with the build machine's CA bundle and an
# empty /recordings. The image is checked without running a container (this
# script must work where containers cannot run, as in CI): its
# configuration (user, entrypoint, command, volume, ports), its files
# (owners and modes), and the binary run from the image's root file system:
# --version (the release's version and commit) and --help directly, then,
# where chroot is allowed, "record" under chroot as uid 65532 with the
# image's default command line, until /readyz on the admin port answers 200.
# Storage is vfs (no overlay mounts needed); run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
IMAGE=${IMAGE:-localhost/wsreplay:dev}
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
bh() { buildah --storage-driver vfs "$@"; }
fail() { echo "build-image: $*" >&2; exit 1; }

start=$(date +%s)
ctx=$(mktemp -d)
ctr=""
recorder=""
cleanup() {
	if [ -n "$recorder" ]; then kill "$recorder" 2>/dev/null || true; wait "$recorder" 2>/dev/null || true; fi
	if [ -n "$ctr" ]; then bh umount "$ctr" >/dev/null 2>&1 || true; bh rm "$ctr" >/dev/null 2>&1 || true; fi
	rm -rf "$ctx"
}
trap cleanup EXIT

echo "== build-image: the static binary (deploy/release.sh, for linux/$(go env GOARCH))"
PLATFORMS="linux/$(go env GOARCH)" deploy/release.sh "$ctx/release"
release=$(ls "$ctx"/release/wsreplay-*-linux-*)
version=${release##*/wsreplay-}
version=${version%-linux-*}
mv "$release" "$ctx/wsreplay"
kind=$(file "$ctx/wsreplay")
echo "$kind"
case "$kind" in *'statically linked'*) ;; *) fail "the binary is not statically linked" ;; esac
case "$kind" in *', stripped'*) ;; *) fail "the binary is not stripped" ;; esac
if ldd "$ctx/wsreplay" >/dev/null 2>&1; then fail "ldd lists shared libraries: the binary is dynamic"; fi
[ -r "$CA_BUNDLE" ] || fail "no CA bundle at $CA_BUNDLE (install ca-certificates, or set CA_BUNDLE)"
cp "$CA_BUNDLE" "$ctx/ca-certificates.crt"
mkdir "$ctx/volume" && mkdir -m 0700 "$ctx/volume/recordings"

echo "== build-image: buildah bud -> $IMAGE"
bh rmi "$IMAGE" >/dev/null 2>&1 || true # no dangling copy of the last build
# The creation time is the commit's, so one commit builds one image.
bh bud --isolation chroot --timestamp "$(git log -1 --format=%ct)" \
	-f "$PWD/Containerfile" -t "$IMAGE" "$ctx"

echo "== build-image: the image's configuration"
config() { bh inspect --type image --format "$1" "$IMAGE"; }
check() { # check WHAT GOT WANT
	[ "$2" = "$3" ] || fail "$1 is $2, want $3"
	echo "ok: $1 $2"
}
check user "$(config '{{.OCIv1.Config.User}}')" '65532:65532'
# (buildah 1.28's templates have no json function: Go's own printing, in
# which map keys are sorted.)
check entrypoint "$(config '{{.OCIv1.Config.Entrypoint}}')" '[/wsreplay]'
check cmd "$(config '{{.OCIv1.Config.Cmd}}')" \
	'[record --listen 0.0.0.0:8080 --out /recordings --admin 0.0.0.0:9090]'
check volumes "$(config '{{.OCIv1.Config.Volumes}}')" 'map[/recordings:{}]'
check ports "$(config '{{.OCIv1.Config.ExposedPorts}}')" 'map[8080/tcp:{} 9090/tcp:{}]'

echo "== build-image: the image's files"
ctr=$(bh from --pull-never "$IMAGE")
root=$(bh mount "$ctr")
files=$(cd "$root" && find . -mindepth 1 -printf '%p %U:%G %m\n' | sort)
echo "$files"
want='./etc 0:0 755
./etc/ssl 0:0 755
./etc/ssl/certs 0:0 755
./etc/ssl/certs/ca-certificates.crt 0:0 444
./recordings 65532:65532 700
./wsreplay 0:0 555'
[ "$files" = "$want" ] || fail "the image holds other files, owners or modes than these:
$want"

echo "== build-image: the binary from the image's root file system"
check --version "$("$root/wsreplay" --version)" "wsreplay version $version (commit $(git rev-parse --short=12 HEAD))"
help=$("$root/wsreplay" record --help)
case "$help" in *'[$WSREPLAY_UPSTREAM]'*) echo "ok: record --help names WSREPLAY_UPSTREAM" ;;
*) fail "record --help names no WSREPLAY_UPSTREAM" ;;
esac

# The image's own command line, as uid 65532 in its root file system (on
# loopback ports): record accepts /recordings as its output and is ready.
if ! chroot --userspec=65532:65532 "$root" /wsreplay --version >/dev/null 2>&1; then
	echo "skipped: chroot into the image is not allowed here; the default command was not tried"
else
	log="$ctx/record.log"
	chroot --userspec=65532:65532 "$root" /wsreplay record --listen 127.0.0.1:0 --out /recordings \
		--admin 127.0.0.1:0 --upstream ws://127.0.0.1:9 2>"$log" &
	recorder=$!
	admin=""
	for _ in $(seq 100); do
		admin=$(sed -n 's|^admin on http://\([0-9.]*:[0-9]*\) .*|\1|p' "$log")
		[ -n "$admin" ] && break
		kill -0 "$recorder" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$admin" ] || fail "record from the image did not start its admin listener:
$(cat "$log")"
	status=""
	for _ in $(seq 50); do
		exec 3<>"/dev/tcp/${admin%:*}/${admin#*:}"
		printf 'GET /readyz HTTP/1.0\r\n\r\n' >&3
		status=$(head -n 1 <&3 | tr -d '\r')
		exec 3<&-
		case "$status" in *" 200 "*) break ;; esac
		sleep 0.1
	done
	case "$status" in *" 200 "*) echo "ok: /readyz of record as uid 65532 in the image: $status" ;;
	*) fail "/readyz answered '$status':
$(cat "$log")" ;;
	esac
	kill -TERM "$recorder"
	wait "$recorder" || fail "record did not exit 0 on SIGTERM:
$(cat "$log")"
	recorder=""
	[ -z "$(ls -A "$root/recordings")" ] || fail "the check left files in the image's /recordings"
fi

echo "== build-image: $IMAGE built and checked in $(($(date +%s) - start)) s"
bh images --format '{{.Name}}:{{.Tag}} {{.ID}} {{.Size}}' "$IMAGE"
