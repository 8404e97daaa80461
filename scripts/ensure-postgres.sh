#!/usr/bin/env bash
# PostgreSQL's server binaries (initdb, pg_ctl), which the test of deploy/dagster-postgres.yaml
# starts a throwaway server with. Idempotent: does nothing when they are already installed.
set -euo pipefail

if command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "PostgreSQL's server (initdb) is not installed and this script can only install it as" \
         "root with apt-get: install the 'postgresql' package, then run again." >&2
    exit 1
fi
echo "Installing PostgreSQL (Debian package 'postgresql') for the instance-storage test..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
echo "PostgreSQL installed: $(compgen -G '/usr/lib/postgresql/*/bin/initdb' | head -n 1)"
