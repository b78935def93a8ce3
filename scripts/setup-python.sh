#!/usr/bin/env bash
# Creates the project's Python venvs: .venv from requirements-python.txt
# (torch, TorchServe, the archiver) and .venv-mlflow from requirements-mlflow.txt
# (the MLflow server the registry tests use) and .venv-protobuf from
# requirements-protobuf.txt (the real protobuf parser for the config.pbtxt
# differential tests) and .venv-triton from requirements-triton.txt (a real
# tritonserver from nvidia-pytriton, and the Python its models run in) and
# .venv-tfserving from requirements-tfserving.txt (TF Serving's config
# descriptors, without TensorFlow) and .venv-tensorflow (TensorFlow, to load
# the SavedModels mserve places) and .venv-kserve (KServe's Python model
# server, a real v1/v2 endpoint) and .venv-mlserver from requirements-mlserver.txt
# (MLServer 1.7.1 with its scikit-learn and XGBoost runtimes, for `serve --target
# mlserver`); kept
# apart so no tree pins another's packages. Used by `npm run setup:python`, the tests and CI.
# Idempotent: re-running only installs what changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"

setup_venv() {
  local venv="$1" requirements="$2" pip_flags="${3:-}"
  if [ ! -x "$venv/bin/python" ]; then
    echo "creating venv at $venv" >&2
    "$python" -m venv "$venv"
  fi
  local stamp="$venv/.requirements.sha256"
  local want
  want="$(sha256sum "$requirements" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "python venv up to date ($venv)" >&2
    return 0
  fi
  "$venv/bin/python" -m pip install --quiet --upgrade pip >&2 || true
  # shellcheck disable=SC2086 # pip_flags is a list of flags
  "$venv/bin/python" -m pip install --quiet $pip_flags -r "$requirements" >&2
  echo "$want" > "$stamp"
  echo "python venv ready ($venv)" >&2
}

setup_venv "${MSERVE_VENV:-$root/.venv}" "$root/requirements-python.txt"
setup_venv "${MSERVE_MLFLOW_VENV:-$root/.venv-mlflow}" "$root/requirements-mlflow.txt"
setup_venv "${MSERVE_PROTOBUF_VENV:-$root/.venv-protobuf}" "$root/requirements-protobuf.txt"
setup_venv "${MSERVE_TRITON_VENV:-$root/.venv-triton}" "$root/requirements-triton.txt"
setup_venv "${MSERVE_TFSERVING_VENV:-$root/.venv-tfserving}" "$root/requirements-tfserving.txt" --no-deps
setup_venv "${MSERVE_TENSORFLOW_VENV:-$root/.venv-tensorflow}" "$root/requirements-tensorflow.txt"
setup_venv "${MSERVE_KSERVE_VENV:-$root/.venv-kserve}" "$root/requirements-kserve.txt"
setup_venv "${MSERVE_MLSERVER_VENV:-$root/.venv-mlserver}" "$root/requirements-mlserver.txt"
