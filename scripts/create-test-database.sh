#!/usr/bin/env bash
# Create the test database named by the URL in $1 if it does not exist yet.
set -euo pipefail
url="$1"
name="${url##*/}"
base="${url%/*}/postgres"
if ! psql "$base" -tAc "SELECT 1 FROM pg_database WHERE datname='${name}'" | grep -q 1; then
  psql "$base" -qc "CREATE DATABASE \"${name}\""
fi
