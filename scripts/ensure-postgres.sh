#!/usr/bin/env bash
# PostgreSQL's server binaries (initdb, pg_ctl), which the test of deploy/dagster-postgres.yaml
# (p3dn_pipeline_tests/integration/test_postgres_storage.py) starts a throwaway server with.
# make test runs it. Idempotent and quick: does nothing when they are installed. Installs only
# as root with apt-get; otherwise says in one line what to install, and exits 1.
set -euo pipefail

if command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    exit 0
fi
source "$(dirname "$0")/apt-install.sh"
apt_install "PostgreSQL's server (initdb)" test_postgres_storage.py postgresql
