#!/usr/bin/env bash
# Make sure Voikko (the Finnish morphology library the Finnish spaCy model needs) is installed.
# Installs it with apt-get when it is missing and we run as root on Debian/Ubuntu;
# otherwise prints the exact command to run and fails.
set -euo pipefail

have_voikko() {
    # the shared library and a Finnish dictionary (mor-standard) must both be there
    if command -v ldconfig >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep 'libvoikko\.so\.1' >/dev/null; then :;
    elif ls /usr/lib/*/libvoikko.so.1 /usr/lib/libvoikko.so.1 /usr/local/lib/libvoikko*.dylib /opt/homebrew/lib/libvoikko*.dylib >/dev/null 2>&1; then :;
    else return 1; fi
    local d
    for d in /usr/lib/voikko/*/mor-standard /usr/share/voikko/*/mor-standard /usr/local/lib/voikko/*/mor-standard \
             /usr/local/share/voikko/*/mor-standard /opt/homebrew/lib/voikko/*/mor-standard \
             /opt/homebrew/share/voikko/*/mor-standard "$HOME"/.voikko/*/mor-standard; do
        [ -d "$d" ] && return 0
    done
    return 1
}

if have_voikko; then
    exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo ">> Voikko is missing: installing libvoikko1 and voikko-fi with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq libvoikko1 voikko-fi
    have_voikko && exit 0
    echo "!! apt-get finished but Voikko still cannot be found" >&2
    exit 1
fi

cat >&2 <<'MSG'
!! Voikko, the Finnish morphology library that the Finnish spaCy model needs, is not installed.
   Install it, then run the make command again:

     Debian/Ubuntu:  sudo apt-get install libvoikko1 voikko-fi
     macOS:          brew install libvoikko
MSG
exit 1
