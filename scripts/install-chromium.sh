#!/usr/bin/env bash
# Debian's headless Chromium and its WebDriver, for the dashboard test
# (p3dn_pipeline_tests/integration/test_dashboard_chromium.py). Idempotent: does nothing when
# both are already installed, so CI can run it every time.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
PACKAGES=(chromium chromium-driver fonts-dejavu-core)

install() {
    $SUDO env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}"
}

# apt knows no package before its lists are downloaded once; stale lists name versions the
# mirror no longer has, so a failed install is retried after an update.
if ! apt-cache show chromium chromium-driver >/dev/null 2>&1; then
    $SUDO apt-get update -qq
fi
if ! install; then
    $SUDO apt-get update -qq
    install
fi

dpkg-query -W chromium chromium-driver
