#!/usr/bin/env bash
# Sets the machine up (see setup.sh), then type-checks and runs every test.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
npm run typecheck
npm test
