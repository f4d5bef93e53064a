#!/usr/bin/env bash
# The whole test suite: lint, types, unit tests (cpu + wasm, and webgpu through Dawn/SwiftShader in Node),
# production build, browser tests in Debian's Chromium (WebGPU through SwiftShader).
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
step() { printf '\n== %s (%ss)\n' "$1" "$((SECONDS - t0))"; }

if [ ! -x /usr/bin/chromium ]; then
  step "installing Debian's chromium (browser tests need it)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
[ -d node_modules ] || npm ci --no-audit --no-fund

step "data"
npm run -s data
step "lint"
npx eslint .
step "typecheck"
npx tsc --noEmit -p .
step "unit tests (cpu, wasm)"
npx vitest run
if [ -f vitest.webgpu.config.ts ]; then
  step "unit tests (webgpu through Dawn + SwiftShader)"
  LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json npx vitest run -c vitest.webgpu.config.ts
fi
step "browser tests (Playwright, Chromium, WebGPU through SwiftShader)"
npx playwright test
step "done in $((SECONDS - t0)) s"
