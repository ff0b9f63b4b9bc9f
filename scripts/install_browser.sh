#!/usr/bin/env bash
# Install Debian's headless Chromium and its chromedriver for `make browser-check`.
# Idempotent: does nothing when both are already there. Never downloads a browser from
# anywhere but the Debian archive (no playwright/selenium browser downloads).
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    echo "chromium and chromedriver already installed: $(chromium --version 2>/dev/null || true)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium chromium-driver fonts-dejavu-core
chromium --version
