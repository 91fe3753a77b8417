#!/usr/bin/env bash
# One-command demo (`make demo`): a fresh SQLite database with demo data, the Celery worker
# with embedded beat in the background, and gunicorn in the foreground on
# http://127.0.0.1:${PORT:-8000}/.  Each run wipes and reseeds the demo data, so it is
# repeatable.  Ctrl-C stops gunicorn and the worker.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-8000}"
VENV=.venv
PY="$VENV/bin/python"

if [ ! -x "$PY" ]; then
    echo "demo.sh: $PY not found; run 'make venv' (or 'make demo') first" >&2
    exit 1
fi

# The demo always uses the settings' defaults: SQLite at var/demo.sqlite3 and the
# filesystem Celery broker under var/broker.  Never seed a database named by the
# environment (it could be a real one).
unset DATABASE_URL REDIS_URL
export DEBUG=1
# No NAS sends accounting updates in the demo: keep its seeded sessions open (the stale
# session sweep would otherwise close them 20 minutes after seeding).
export RADIUS_STALE_SESSION_MINUTES="${RADIUS_STALE_SESSION_MINUTES:-525600}"

# Wipe the previous run's data: database (plus any SQLite journal files) and queued
# broker messages.
rm -f var/demo.sqlite3 var/demo.sqlite3-journal var/demo.sqlite3-wal var/demo.sqlite3-shm
rm -rf var/broker
mkdir -p var/broker/out var/broker/processed var/broker/control var/media

# The demo's router: a fake MikroTik RouterOS API on loopback (the seeded "Core router").
export DEMO_ROUTER_PORT="${DEMO_ROUTER_PORT:-18728}"
"$PY" -m netbill.network.fake_routeros --port "$DEMO_ROUTER_PORT" --user admin --password admin \
    --demo >> var/router.log 2>&1 &
router_pid=$!

"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput -v0
"$PY" manage.py seed_demo

worker_pid=""
stop_worker() {
    if [ -n "$worker_pid" ] && kill -0 "$worker_pid" 2>/dev/null; then
        echo "demo.sh: stopping Celery worker (pid $worker_pid)" >&2
        kill -TERM "$worker_pid" 2>/dev/null || true
        # Warm shutdown finishes the current task; give it a few seconds, then force.
        for _ in $(seq 1 40); do
            kill -0 "$worker_pid" 2>/dev/null || break
            sleep 0.25
        done
        kill -KILL "$worker_pid" 2>/dev/null || true
        wait "$worker_pid" 2>/dev/null || true
    fi
}
stop_all() {
    stop_worker
    kill -TERM "$router_pid" 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Worker with embedded beat (-B).  Note: for `celery worker`, -S means --statedb, so the
# scheduler is given in full.
"$VENV/bin/celery" -A netbill worker -B \
    --scheduler django_celery_beat.schedulers:DatabaseScheduler \
    --loglevel=INFO --pool=solo --logfile var/celery.log >> var/celery.log 2>&1 &
worker_pid=$!

echo
echo "netbill demo: http://127.0.0.1:${PORT}/   (Celery log: var/celery.log; Ctrl-C to stop)"
echo

# Foreground web server.  DEBUG=1 stays on; whitenoise serves the collected static files.
"$VENV/bin/gunicorn" netbill.wsgi -b "127.0.0.1:${PORT}" --workers 2 --access-logfile -
