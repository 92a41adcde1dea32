#!/usr/bin/env bash
# CI step (called by .ci/run after `npm test`): installs buildah and debootstrap when missing
# (Debian packages; CI runs as root), builds the base and the image (tools/image/build.sh), runs
# the image test (npm run test:image), prints the image size and the time taken.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)
if ! command -v buildah >/dev/null || ! command -v debootstrap >/dev/null; then
  echo "image: installing buildah and debootstrap (apt-get)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah debootstrap >/dev/null
fi
tools/image/build.sh
npm run test:image
. tools/image/image.env
echo "image: $IMAGE $(buildah --storage-driver "$BUILDAH_STORAGE_DRIVER" images --format '{{.Size}}' "$IMAGE" | head -1); build and test in $(($(date +%s) - started)) s" >&2
