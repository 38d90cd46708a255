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

# Dependencies' install scripts stay off: jsroot pulls in `canvas`, whose script downloads a binary
# or compiles against cairo (we only read ROOT files and never draw), and onnxruntime-node's would
# fetch CUDA libraries (its CPU runtime ships inside the package; docs/ENGINE.md says how to add CUDA).
npm ci --no-audit --no-fund --ignore-scripts
# then our own steps: the oneDNN addon (node-gyp, against this Node's headers) and the TypeScript build
npm run install
npm run build
