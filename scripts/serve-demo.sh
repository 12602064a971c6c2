#!/usr/bin/env bash
# Serve the site with gunicorn on http://127.0.0.1:$PORT (8000 unless set), after starting what it needs:
# the localstripe test payment server when STRIPE_API_BASE points at this machine and nothing answers
# there yet. `make demo` migrates and seeds first, then calls this. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
export PORT="${PORT:-8000}"
STRIPE_API_BASE="${STRIPE_API_BASE:-http://127.0.0.1:8420}"

answers() {  # answers HOST PORT: exit 0 when something listens there
  "$VENV/bin/python" - "$1" "$2" <<'PY'
import socket, sys
with socket.socket() as s:
    s.settimeout(0.5)
    sys.exit(0 if s.connect_ex((sys.argv[1], int(sys.argv[2]))) == 0 else 1)
PY
}

children=()
cleanup() {
  for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

if answers 127.0.0.1 "$PORT"; then
  echo "Something already answers on 127.0.0.1:$PORT; choose another port: make demo PORT=8001" >&2
  exit 1
fi

# Payments: localstripe, on loopback with fresh state, unless a real provider is configured.
hostport="${STRIPE_API_BASE#*://}"; hostport="${hostport%%/*}"
stripe_host="${hostport%%:*}"; stripe_port="${hostport##*:}"
if [[ "$stripe_host" == "127.0.0.1" || "$stripe_host" == "localhost" ]]; then
  if answers 127.0.0.1 "$stripe_port"; then
    echo "Payments: using the localstripe already answering on port $stripe_port."
  else
    mkdir -p instance
    "$VENV/bin/python" scripts/run_localstripe.py --host 127.0.0.1 --port "$stripe_port" \
      >instance/localstripe.log 2>&1 &
    children+=($!)
    for _ in $(seq 1 300); do answers 127.0.0.1 "$stripe_port" && break; sleep 0.2; done  # a minute at most
    answers 127.0.0.1 "$stripe_port" || { echo "localstripe did not start; see instance/localstripe.log" >&2; exit 1; }
    echo "Payments: localstripe on http://127.0.0.1:$stripe_port (log in instance/localstripe.log)."
  fi
fi

echo "Serving the demo town on http://127.0.0.1:$PORT (Ctrl-C to stop)."
"$VENV/bin/gunicorn" -c gunicorn.conf.py wsgi:app &
children+=($!)
wait "${children[-1]}"
