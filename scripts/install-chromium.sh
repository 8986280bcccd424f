#!/usr/bin/env bash
# Makes sure headless Chromium is there for tests/test_docs_site.py (`make test` runs this first). Idempotent and
# quick when Chromium is installed. Installs Debian's package `chromium` with apt-get when running as root (CI runs
# `bash .ci/run` as root on a fresh machine); otherwise says what to run, and the browser test then skips (or fails
# with CI=true).
set -euo pipefail

for browser in chromium chromium-browser; do
    if command -v "$browser" >/dev/null 2>&1; then
        exit 0
    fi
done
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: Chromium is missing; install it (Debian/Ubuntu: sudo apt-get install -y chromium) for the docs site test" >&2
    exit 0
fi
echo "install-chromium: installing Debian's chromium package for the docs site test"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium >/dev/null
