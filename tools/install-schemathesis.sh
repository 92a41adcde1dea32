#!/usr/bin/env bash
# Installs schemathesis (PyPI), the schema-based fuzzer `npm test` runs against the gateway's
# OpenAPI description (e2e/schemathesis.integration-spec.ts), into its own virtualenv:
#   .tools/schemathesis/<version>/bin/schemathesis
# Every package is pinned exactly in tools/schemathesis/requirements.txt and installed with
# --no-deps, so nothing floats. Needs python3 (3.9+) with venv; idempotent (a second run only checks).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
requirements="$root/tools/schemathesis/requirements.txt"
version="$(sed -n 's/^schemathesis==//p' "$requirements")"
[ -n "$version" ] || { echo "install-schemathesis: no schemathesis==<version> line in $requirements" >&2; exit 1; }
venv="$root/.tools/schemathesis/$version"
bin="$venv/bin/schemathesis"

if [ -x "$bin" ] && [ "$("$bin" --version 2>/dev/null)" = "schemathesis, version $version" ]; then
  echo "install-schemathesis: schemathesis $version already in ${venv#"$root"/}"
  exit 0
fi

python="${PYTHON:-python3}"
command -v "$python" >/dev/null || { echo "install-schemathesis: $python not found (schemathesis needs Python 3.9+ with venv)" >&2; exit 1; }
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --no-deps -r "$requirements"
"$venv/bin/python" -m pip check --disable-pip-version-check
echo "install-schemathesis: $("$bin" --version) in ${venv#"$root"/}"
