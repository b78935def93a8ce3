#!/usr/bin/env bash
# Creates the project's Python venv (.venv) from requirements-python.txt.
# Used by `npm run setup:python`, the tests and CI. Idempotent: re-running only
# installs what changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${MSERVE_VENV:-$root/.venv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
  echo "creating venv at $venv" >&2
  "$python" -m venv "$venv"
fi
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$root/requirements-python.txt" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "python venv up to date ($venv)" >&2
  exit 0
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip >&2 || true
"$venv/bin/python" -m pip install --quiet -r "$root/requirements-python.txt" >&2
echo "$want" > "$stamp"
echo "python venv ready ($venv)" >&2
