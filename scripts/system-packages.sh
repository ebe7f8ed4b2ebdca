#!/usr/bin/env bash
# Debian packages the tests need: Chromium for the browser tests (Playwright drives
# /usr/bin/chromium; it never downloads a browser), CJK fonts for screenshots and PDFs, and
# poppler-utils, whose pdffonts proves the PDFs embed that font.
set -u
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
command -v pdffonts >/dev/null || missing+=(poppler-utils)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "system-packages: installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "system-packages: please install ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
