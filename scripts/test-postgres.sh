#!/usr/bin/env bash
# Run the database-backed tests again on PostgreSQL when a server answers.
set -euo pipefail
url=${KAOHE_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
if .venv/bin/python - "$url" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable at {sys.argv[1]} ({exc.__class__.__name__}): the PostgreSQL leg is skipped")
    sys.exit(1)
PY
then
  echo "== the web tests again, on PostgreSQL ($url), the browser flows aside =="
  # each xdist worker gets its own test database (pytest-django suffixes the name with _gwN);
  # the browser flows drive the same views the other tests post to, and ran on SQLite
  DATABASE_URL="$url" .venv/bin/pytest tests/web -p no:cacheprovider -n "${PYTEST_WORKERS:-auto}" \
    -m "not browser"
fi
