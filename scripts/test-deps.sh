#!/usr/bin/env bash
# Installs what the test suite needs on a Debian machine and returns quickly when it is all there:
# espeak-ng and sox (voices), Chromium (browser tests), Redis and iproute2 (the scale-out test) and the LiveKit server (built from its Go module into
# ~/.cache/ai-interviewer), and versitygw (an S3-compatible server for the recording store tests, the same way). PostgreSQL needs nothing here: the tests run the embedded server binaries npm installed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

missing=()
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
command -v sox >/dev/null 2>&1 || missing+=(sox)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# The scale-out test's Redis (LiveKit's multi-node routing) and iproute2 (its test hosts in network namespaces).
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
# The README's curl block, which the newcomer test runs as written.
command -v jq >/dev/null 2>&1 || missing+=(jq)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "The tests need: ${missing[*]}. Install them (Debian: apt-get install -y ${missing[*]})." >&2
    exit 1
  fi
  echo "Installing ${missing[*]} from Debian..." >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

node "$here/ensure-livekit.ts"
