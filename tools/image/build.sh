#!/usr/bin/env bash
# Builds the one image of every service with buildah (no daemon: vfs storage, chroot isolation):
#   1. the base image, locally, when it is missing (tools/image/build-base.sh; --no-base skips it,
#      e.g. when BASE_IMAGE names the real digest-pinned base: PULL_POLICY=false pulls it if missing;
#      the default, never, uses only what is stored)
#   2. npm run build:dist (dist-image/)
#   3. buildah bud -f deploy/Dockerfile, tagged $IMAGE (default localhost/ai-gateway:dev)
#   tools/image/build.sh [--no-base] [--no-dist] [extra buildah bud arguments...]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
. "$root/tools/image/image.env"
cd "$root"
base=true
dist=true
while [ $# -gt 0 ]; do
  case "$1" in
    --no-base) base=false; shift ;;
    --no-dist) dist=false; shift ;;
    *) break ;;
  esac
done
say() { echo "image: $*" >&2; }
started=$(date +%s)
$base && tools/image/build-base.sh
$dist && node tools/build-dist.mjs
say "buildah bud -f deploy/Dockerfile -t $IMAGE"
secrets=()
# A TLS-intercepting proxy's CA (as on the CI machines here) reaches npm in the build as a secret.
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  secrets=(--secret "id=ca-certs,src=$NODE_EXTRA_CA_CERTS")
fi
buildah --storage-driver "$BUILDAH_STORAGE_DRIVER" bud "${secrets[@]}" --isolation "$BUILDAH_ISOLATION" --pull="${PULL_POLICY:-never}" \
  --build-arg NODE_IMAGE="$BASE_IMAGE" \
  -f deploy/Dockerfile --ignorefile deploy/Dockerfile.dockerignore -t "$IMAGE" "$@" .
size="$(buildah --storage-driver "$BUILDAH_STORAGE_DRIVER" images --format '{{.Size}}' "$IMAGE" | head -1)"
say "$IMAGE built in $(($(date +%s) - started)) s, $size"
