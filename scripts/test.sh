#!/usr/bin/env bash
# The one test command for a fresh machine (README "Quick start", .ci/run): set up, then run every test layer.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
npm test
