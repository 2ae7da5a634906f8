#!/usr/bin/env bash
# Builds a local stand-in for the Dockerfile's base image (docker.io/library/node:20-bookworm-slim)
# where that image cannot be pulled (no registry access, as on vecron's CI machine): the host's own
# Node.js 20 binary and npm, the shared libraries they load, a POSIX shell, CA certificates, and the
# `node` user (uid/gid 1000) of the official image. ~120 MB, built in seconds, no network.
# The unmodified Dockerfile then builds with podman/buildah (their default pull policy uses a local
# image when one has the name). Usage: build-base-image.sh [image-name]   (needs podman)
set -euo pipefail

IMAGE="${1:-docker.io/library/node:20-bookworm-slim}"
PODMAN=(podman ${PODMAN_OPTS:-})

NODE_BIN="$(readlink -f "$(command -v node)")"
case "$("$NODE_BIN" --version)" in
  v20.*) ;;
  *) echo "build-base-image: the host's node is $("$NODE_BIN" --version); the image promises Node.js 20" >&2; exit 1 ;;
esac
NPM_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"   # …/node_modules/npm

root="$(mktemp -d)"
chmod 0755 "$root"   # the image's /, traversed by the unprivileged user
trap 'rm -rf "$root"' EXIT

copy_with_libs() { # copies executables and every shared library they load, keeping paths
  for f in "$@"; do
    install -D -m 0755 "$f" "$root$f"
    { ldd "$f" 2>/dev/null || true; } | awk '/=>/ { print $3 } /^\t\// { print $1 }' | while read -r lib; do
      [ -n "$lib" ] && [ -e "$lib" ] || continue
      install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
    done
  done
}

mkdir -p "$root"/{bin,usr/bin,usr/local/bin,usr/local/lib/node_modules,etc,tmp,home/node,root}
chmod 1777 "$root/tmp"
copy_with_libs "$NODE_BIN" "$(readlink -f /bin/sh)"
# The small userland of the official image that build scripts use: coreutils (env runs the
# `#!/usr/bin/env node` scripts), sed, grep, findutils (node_modules/.bin shims call sed, uname, dirname).
if command -v dpkg >/dev/null; then
  for f in $(dpkg -L coreutils sed grep findutils 2>/dev/null | grep -E '^(/usr)?/s?bin/[^/]+$'); do
    [ -f "$f" ] && [ -x "$f" ] && copy_with_libs "$f"
  done
else
  copy_with_libs "$(readlink -f "$(command -v env)")"
fi
[ "$NODE_BIN" = /usr/local/bin/node ] || ln -s "$NODE_BIN" "$root/usr/local/bin/node"
ln -sf "$(readlink -f /bin/sh)" "$root/bin/sh"
# The whole C runtime the official image has (glibc, libstdc++, libgcc): native tools such as
# pnpm's binary and native addons (argon2) load more of it than node itself does.
if command -v dpkg >/dev/null; then
  dpkg -L libc6 libstdc++6 libgcc-s1 2>/dev/null | grep -E '\.so(\.[0-9]+)*$' | while read -r lib; do
    [ -e "$lib" ] || continue
    mkdir -p "$root$(dirname "$lib")"
    cp -a "$lib" "$root$lib"
  done
fi
cp -a "$NPM_DIR" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
# glibc's name service: files, then DNS (built into libc since 2.34).
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"
printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n' > "$root/etc/group"
chown 1000:1000 "$root/home/node"
# The host's trust store, and Node/npm/pnpm told to use it: where the network goes through a
# TLS-inspecting proxy (as on vecron's CI machine), its CA is in there, not in Node's own list.
trust=()
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  trust=(--change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' --change 'ENV NPM_CONFIG_CAFILE=/etc/ssl/certs/ca-certificates.crt' --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt')
fi
[ -f /usr/share/zoneinfo/UTC ] && install -D -m 0644 /usr/share/zoneinfo/UTC "$root/usr/share/zoneinfo/UTC"

tar -C "$root" -c . | "${PODMAN[@]}" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV NODE_VERSION='"$("$NODE_BIN" --version | tr -d v)" \
  "${trust[@]}" \
  --change 'CMD ["node"]' \
  --message "vecron local stand-in for node:20-bookworm-slim (host Node.js $("$NODE_BIN" --version))" \
  - "$IMAGE" >/dev/null
echo "$IMAGE"
