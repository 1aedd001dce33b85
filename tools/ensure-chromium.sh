#!/usr/bin/env bash
# Make sure a Chromium browser is installed: it prints the PDF report and runs the browser test.
# Installs Debian's chromium with apt-get when it is missing and we run as root; otherwise prints
# the exact command to run and fails.
set -euo pipefail

for name in chromium chromium-browser google-chrome; do
    if command -v "$name" >/dev/null 2>&1; then
        exit 0
    fi
done

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo ">> Chromium is missing: installing chromium with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium
    command -v chromium >/dev/null 2>&1 && exit 0
    echo "!! apt-get finished but chromium still cannot be found" >&2
    exit 1
fi

cat >&2 <<'MSG'
!! Chromium is needed to print the PDF report and to test the report in a browser.
   Install it, then run the make command again:

     Debian:   sudo apt-get install chromium
     Ubuntu:   sudo snap install chromium
     macOS:    brew install --cask chromium
MSG
exit 1
