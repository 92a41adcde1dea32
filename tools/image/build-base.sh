#!/usr/bin/env bash
# Assembles the Dockerfile's base image locally, for machines that reach package registries
# but no container registry (CI here): a minimal Debian bookworm root filesystem from
# `debootstrap --variant=minbase` plus the Node.js binary and npm that tools/install-node.sh
# takes from the npm registry, laid out as the official image lays them out (/usr/local/bin/node,
# /usr/local/lib/node_modules/npm), committed with buildah under the name deploy/Dockerfile's
# FROM uses (NODE_IMAGE, default node:24-bookworm-slim).
#
# A release build does not run this: it pulls the real digest-pinned base instead, e.g.
#   buildah bud --build-arg NODE_IMAGE=docker.io/library/node:24-bookworm-slim@sha256:<digest> ...
#
#   tools/image/build-base.sh            builds it unless an image of that name exists
#   tools/image/build-base.sh --force    rebuilds it
# Needs root, debootstrap and buildah (Debian packages). Storage: BUILDAH_STORAGE_DRIVER (vfs).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=tools/image/image.env
. "$root/tools/image/image.env"
force=false
[ "${1:-}" = "--force" ] && force=true
say() { echo "build-base: $*" >&2; }
bud() { buildah --storage-driver "$BUILDAH_STORAGE_DRIVER" "$@"; }

if ! $force && bud inspect --type image "$BASE_IMAGE" >/dev/null 2>&1; then
  say "$BASE_IMAGE already exists (--force rebuilds it)"
  exit 0
fi
started=$(date +%s)

# The same Node.js as everything else runs on (pinned version and sha512 in install-node.sh).
"$root/tools/install-node.sh" >&2
node_dir="$root/.tools/node"

work="$(mktemp -d)"
ctr=""
cleanup() { [ -n "$ctr" ] && bud rm "$ctr" >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT
rootfs="$work/rootfs"

say "debootstrap --variant=minbase $DEBIAN_SUITE from $DEBIAN_MIRROR"
debootstrap --variant=minbase "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1 \
  || { tail -30 "$work/debootstrap.log" >&2; exit 1; }

# What the official slim image drops too: package caches and lists, docs, man pages, locales.
rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/debconf/*-old \
  "$rootfs"/var/log/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
  "$rootfs"/usr/share/locale/* "$rootfs"/tmp/* "$rootfs"/var/tmp/*
# No network at run time inside the image: resolv.conf comes from the runtime.
: >"$rootfs/etc/resolv.conf"

mkdir -p "$rootfs/usr/local/bin" "$rootfs/usr/local/lib/node_modules"
cp "$node_dir/bin/node" "$rootfs/usr/local/bin/node"
cp -a "$node_dir/lib/node_modules/npm" "$rootfs/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
chroot "$rootfs" /usr/local/bin/node --version >/dev/null || { say "node does not run in the root filesystem"; exit 1; }

say "committing $BASE_IMAGE"
ctr="$(bud from scratch)"
bud copy "$ctr" "$rootfs/" / >/dev/null
bud config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env NODE_VERSION="$("$node_dir/bin/node" -p process.versions.node)" \
  --cmd node --os linux --arch "$(case "$(uname -m)" in aarch64) echo arm64 ;; *) echo amd64 ;; esac)" \
  --label org.opencontainers.image.description="local stand-in for $BASE_IMAGE: debootstrap $DEBIAN_SUITE minbase + node from the npm registry" \
  "$ctr"
bud commit --rm "$ctr" "$BASE_IMAGE" >/dev/null
ctr=""
say "$BASE_IMAGE built in $(($(date +%s) - started)) s, $(bud images --format '{{.Size}}' "$BASE_IMAGE" | head -1)"
