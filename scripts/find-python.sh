#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter: first from PATH, then from pyenv.
# Exits 1 with advice when there is none.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for name in python3.14 python3.13 python3.12 python3; do
  if command -v "$name" >/dev/null 2>&1 && ok "$name"; then
    "$name" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for dir in $(ls -d "$root"/versions/3.1[2-9]* 2>/dev/null | sort -rV); do
    for exe in "$dir"/bin/python3.1[2-9] "$dir"/bin/python3; do
      if [ -x "$exe" ] && ok "$exe"; then echo "$exe"; exit 0; fi
    done
  done
fi
cat >&2 <<'MSG'
Kaohe needs Python 3.12 or newer, and none was found on PATH or in pyenv.
Install one, for example:
  Debian 13 / Ubuntu 24.04:  sudo apt-get install python3 python3-venv
  Debian 12:                 pyenv install 3.13   (or use the deadsnakes/uv builds)
then run the command again.
MSG
exit 1
