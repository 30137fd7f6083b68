#!/usr/bin/env bash
# The README's main command: sets the machine up (idempotent), builds, makes INT4 twins of the demo model,
# compares both with FP16 on held-out prompts, lints the demo export scripts, and opens VS Code (code-server)
# on the demo workspace. `--no-open` stops after the reports (CI and headless machines).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
npm run --silent build -- --quiet
node scripts/demo.mjs "$@"
