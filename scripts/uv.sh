#!/usr/bin/env bash
# Run uv, installing it with pip first if it is missing:  bash scripts/uv.sh sync --locked
# Works on a fresh Debian/Ubuntu machine: pip may be absent (python3-pip is then installed
# with apt), and the system Python may be "externally managed" (PEP 668).
set -euo pipefail

if command -v uv >/dev/null 2>&1; then
    exec uv "$@"
fi
if python3 -m uv --version >/dev/null 2>&1; then
    exec python3 -m uv "$@"
fi

echo "uv.sh: uv not found; installing it with pip" >&2
if ! python3 -m pip --version >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        sudo=()
        [ "$(id -u)" -eq 0 ] || sudo=(sudo)
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip >/dev/null
    else
        echo "uv.sh: neither uv nor pip is available; install uv (https://docs.astral.sh/uv/)" >&2
        exit 1
    fi
fi
python3 -m pip install --quiet uv ||
    python3 -m pip install --quiet --break-system-packages uv

# pip may have put the uv executable in a directory that is not on PATH (~/.local/bin);
# `python3 -m uv` finds it either way.
exec python3 -m uv "$@"
