#!/usr/bin/env bash
# System packages the test suite needs besides the Python venv: Debian's chromium (browser tests
# through Playwright; `playwright install` needs the internet), poppler-utils (pdftotext/pdftoppm
# to read the PDFs we render) and fonts-dejavu-core (stable glyphs in screenshots and PDFs).
#
# Idempotent and silent when everything is present; installs what is missing with apt-get, as
# root or through `sudo -n`; otherwise says what to install and exits 1.
set -euo pipefail

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
[[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || missing+=(fonts-dejavu-core)

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "test-setup: missing ${missing[*]}, and apt-get is not available: install them with your" \
        "system's package manager (chromium must be at /usr/bin/chromium)" >&2
    exit 1
fi

if [[ $(id -u) -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    echo "test-setup: missing ${missing[*]}; run as root (or with passwordless sudo):" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

echo "test-setup: installing ${missing[*]} with apt-get" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "test-setup: apt-get failed to install ${missing[*]} (output above)" >&2
    exit 1
fi

if [[ ! -x /usr/bin/chromium ]]; then
    echo "test-setup: apt-get installed chromium but /usr/bin/chromium is still missing" >&2
    exit 1
fi
