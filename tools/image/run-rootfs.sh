#!/usr/bin/env bash
# Starts a process from a container's mounted root filesystem the way a kubelet does with the
# chart's securityContext, without a container daemon (none exists on the CI machines here):
# a private mount namespace, the root filesystem bind-mounted read-only, /proc, /dev, a tmpfs at
# /tmp (the chart's emptyDir) and at each --writable path, then chroot as the image's user into
# the image's working directory with exactly the given environment.
#   run-rootfs.sh <rootfs> <uid:gid> <workdir> [--writable /data]... [NAME=VALUE]... -- <command> [args]...
# The command replaces this script (same pid): SIGTERM reaches it directly.
# Needs root (mount namespaces). tools/image/image.image-spec.ts runs every service with it.
set -euo pipefail
if [ "${RUN_ROOTFS_IN_NS:-}" != 1 ]; then
  RUN_ROOTFS_IN_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi
rootfs="$1" user="$2" workdir="$3"
shift 3
writable=()
envs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --writable) writable+=("$2"); shift 2 ;;
    --) shift; break ;;
    *=*) envs+=("$1"); shift ;;
    *) echo "run-rootfs: unexpected argument $1" >&2; exit 2 ;;
  esac
done
[ $# -gt 0 ] || { echo "run-rootfs: no command after --" >&2; exit 2; }

# The root filesystem mounted over itself, in this namespace only: nothing is left behind.
top="$rootfs"
# Mount points must exist before the root goes read-only (as a runtime creates them).
for dir in /proc /dev /tmp "${writable[@]}"; do mkdir -p "$top$dir"; done
mount --bind "$top" "$top"
mount -o remount,bind,ro "$top"
mount -t proc proc "$top/proc"
mount --rbind /dev "$top/dev"
mount -t tmpfs -o mode=1777,size=64m tmpfs "$top/tmp"
for dir in "${writable[@]}"; do
  mount -t tmpfs -o "mode=0700,size=16m,uid=${user%%:*},gid=${user##*:}" tmpfs "$top$dir"
done
exec chroot --userspec="$user" "$top" /usr/bin/env -i "${envs[@]}" /bin/sh -c 'cd "$0" && exec "$@"' "$workdir" "$@"
