#!/usr/bin/env bash
# One-step install on Debian/Ubuntu: oneDNN from apt for the native engine, then the npm packages
# (npm ci also compiles the TypeScript and builds the native addon). Nothing else is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if ! dpkg -s libdnnl-dev >/dev/null 2>&1; then
  echo "installing oneDNN (apt package libdnnl-dev) ..." >&2
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libdnnl-dev >/dev/null
fi

# onnxruntime-node: keep its optional CUDA download off, so installing works offline (see docs/ENGINE.md)
export ONNXRUNTIME_NODE_INSTALL_CUDA=skip
npm ci --no-audit --no-fund
