#!/usr/bin/env bash
# Debian's headless Chromium and its WebDriver, for the dashboard test
# (p3dn_pipeline_tests/integration/test_dashboard_chromium.py). make test runs it. Idempotent
# and quick: does nothing when both are installed. Installs only as root with apt-get;
# otherwise says in one line what to install, and exits 1.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
source "$(dirname "$0")/apt-install.sh"
apt_install "Chromium (/usr/bin/chromium, /usr/bin/chromedriver)" test_dashboard_chromium.py \
    chromium chromium-driver fonts-dejavu-core
