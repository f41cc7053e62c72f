#!/usr/bin/env bash
# Debian's Chromium for the browser test (test/e2e/browser.test.ts): installed here, by the
# project, never by hand; a no-op when it is already there. Prints the browser's path.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2
  $sudo apt-get install -y -qq --no-install-recommends chromium >&2
fi
command -v chromium
