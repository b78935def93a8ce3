#!/usr/bin/env bash
# Fetches NVIDIA's perf_analyzer for `npm run bench` (not needed by the tests) into
# bench/out/perf-analyzer. The binary ships inside the tritonclient 2.41.0 wheel; it
# links libb64 (Debian: libb64-0d) and libcudart.so.12 (PyPI: nvidia-cuda-runtime-cu12),
# even on CPU. Nothing is installed system-wide. Prints the binary's path.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/bench/out/perf-analyzer"
bin="$dest/bin/perf_analyzer"
if [ -x "$bin" ] && LD_LIBRARY_PATH="$dest/lib" "$bin" --version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi
pip="$root/.venv/bin/pip"
rm -rf "$dest" && mkdir -p "$dest/dl" "$dest/lib" "$dest/bin"
"$pip" download --quiet --no-deps -d "$dest/dl" tritonclient==2.41.0 nvidia-cuda-runtime-cu12==12.9.79 >&2
(cd "$dest/dl" && apt-get download libb64-0d >&2 2>/dev/null)
"$root/.venv/bin/python" - "$dest" <<'PY'
import pathlib, stat, sys, zipfile
dest = pathlib.Path(sys.argv[1])
for wheel in (dest / "dl").glob("*.whl"):
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            base = name.rsplit("/", 1)[-1]
            if name.endswith("/bin/perf_analyzer"):
                target = dest / "bin" / base
            elif base == "libcudart.so.12":
                target = dest / "lib" / base
            else:
                continue
            target.write_bytes(z.read(name))
            target.chmod(target.stat().st_mode | stat.S_IXUSR)
PY
dpkg-deb -x "$dest"/dl/libb64-0d_*.deb "$dest/deb"
cp "$dest"/deb/usr/lib/*/libb64.so.0d* "$dest/lib/"
LD_LIBRARY_PATH="$dest/lib" "$bin" --version >&2
echo "$bin"
