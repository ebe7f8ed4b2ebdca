#!/usr/bin/env bash
# Debian packages the tests need: Chromium for the browser tests (Playwright drives
# /usr/bin/chromium; it never downloads a browser), CJK fonts for screenshots and PDFs,
# poppler-utils, whose pdffonts proves the PDFs embed that font, and LibreOffice Calc, which
# re-saves workbooks in the Excel tests as an office using LibreOffice would.
set -u
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
command -v pdffonts >/dev/null || missing+=(poppler-utils)
need_calc=0
command -v soffice >/dev/null || need_calc=1
[ ${#missing[@]} -eq 0 ] && [ $need_calc -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "system-packages: please install ${missing[*]} $([ $need_calc = 1 ] && echo libreoffice-calc)" >&2
  exit 1
fi
apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  echo "system-packages: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ $need_calc -eq 1 ]; then
  echo "system-packages: installing libreoffice-calc (without recommends: no Java)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc >/dev/null
fi
