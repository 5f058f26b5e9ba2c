#!/usr/bin/env bash
# Sets the machine up (see setup.sh), then runs the vidai CLI on a default input
# with the default model (YOLOX-Nano). In this repository the model cache is
# ../shared/models; elsewhere the model is downloaded once into the user cache.
# Usage: bash scripts/demo.sh [input] [extra vidai detect flags]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
echo "demo: building packages"
npm run build --silent >/dev/null
shared="${VIDAI_SHARED_DIR:-$repo_root/../shared}"
if [ -z "${VIDAI_MODEL_DIR:-}" ] && [ -d "$shared/models" ]; then export VIDAI_MODEL_DIR="$shared/models"; fi
input="${1:-$shared/videos/degirum-Traffic.mp4}"
shift || true
node packages/node/dist/cli.js detect "$input" --model yolox-nano "$@"
