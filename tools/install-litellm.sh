#!/usr/bin/env bash
# Installs LiteLLM's proxy (PyPI), the real third-party OpenAI-compatible server that the
# OpenAI-compatible end-to-end test puts behind the gateway (mock responses, no model, no
# network), into its own virtualenv:
#   .tools/litellm/<version>/bin/litellm
# Every package is pinned exactly in tools/litellm/requirements.txt and installed with
# --no-deps, so nothing floats. Needs python3 (3.9+) with venv; idempotent (a second run only checks).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
requirements="$root/tools/litellm/requirements.txt"
version="$(sed -n 's/^litellm==//p' "$requirements")"
[ -n "$version" ] || { echo "install-litellm: no litellm==<version> line in $requirements" >&2; exit 1; }
venv="$root/.tools/litellm/$version"
bin="$venv/bin/litellm"
stamp="$venv/.installed"

if [ -x "$bin" ] && [ -f "$stamp" ] && cmp -s "$stamp" "$requirements"; then
  echo "install-litellm: litellm $version already in ${venv#"$root"/}"
  exit 0
fi

python="${PYTHON:-python3}"
command -v "$python" >/dev/null || { echo "install-litellm: $python not found (LiteLLM needs Python 3.9+ with venv)" >&2; exit 1; }
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --no-deps -r "$requirements"
"$venv/bin/python" -m pip check --disable-pip-version-check
cp "$requirements" "$stamp"
echo "install-litellm: litellm $version in ${venv#"$root"/}"
