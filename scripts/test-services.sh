#!/usr/bin/env bash
# Make sure the services the test suite needs are installed and running:
#   PostgreSQL on 127.0.0.1:5432 with role/database netbill (password netbill),
#   Redis on 127.0.0.1:6379, Debian's Chromium for the browser tests, the libraries
#   WeasyPrint needs for invoice PDFs, and FreeRADIUS (the RADIUS tests start their own
#   server from deploy/freeradius on free loopback ports; the system service is not used),
#   and `ping` (iputils) for the ping test.
# Idempotent: safe to run any number of times. Installs with apt only what is missing
# (one `apt-get update` at most). Needs root, or sudo, for installing/starting services.
set -euo pipefail

PG_ROLE="${PG_ROLE:-netbill}"
PG_PASSWORD="${PG_PASSWORD:-netbill}"
PG_DB="${PG_DB:-netbill}"
PG_HOST=127.0.0.1
PG_PORT="${PG_PORT:-5432}"
PG_CLUSTER="${PG_CLUSTER:-main}"
REDIS_HOST=127.0.0.1
REDIS_PORT="${REDIS_PORT:-6379}"
CHROMIUM=/usr/bin/chromium

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    SUDO=()
fi

log() { printf '%s\n' "$*" >&2; }
die() { log "test-services: $*"; exit 1; }

APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install $* by hand"
    if [ "$APT_UPDATED" -eq 0 ]; then
        log "test-services: apt-get update"
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        APT_UPDATED=1
    fi
    log "test-services: apt-get install -y $*"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# wait_for <seconds> <command...>: retry a check command until it succeeds.
wait_for() {
    local seconds=$1
    shift
    local i
    for ((i = 0; i < seconds * 4; i++)); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.25
    done
    return 1
}

# ---------------------------------------------------------------- PostgreSQL
pg_ready() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; }

# Run SQL as the PostgreSQL superuser: the postgres OS user over the local socket (peer
# auth on a stock install), or else TCP as user postgres (trust, or PGPASSWORD if set).
PG_SUPER_MODE=""
pg_super() {
    local sql=$1
    if [ -z "$PG_SUPER_MODE" ]; then
        if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null 2>&1 &&
            (cd / && runuser -u postgres -- psql -X -q -p "$PG_PORT" -d postgres -Atc 'select 1') >/dev/null 2>&1; then
            PG_SUPER_MODE=runuser
        elif { [ "$(id -u)" -eq 0 ] || [ "${#SUDO[@]}" -gt 0 ]; } &&
            (cd / && "${SUDO[@]}" su postgres -s /bin/sh -c "psql -X -q -p $PG_PORT -d postgres -Atc 'select 1'") >/dev/null 2>&1; then
            PG_SUPER_MODE=su
        elif psql -X -q -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
            PG_SUPER_MODE=tcp
        else
            die "cannot connect to PostgreSQL as superuser postgres (tried peer auth as the postgres OS user and TCP $PG_HOST:$PG_PORT; set PGPASSWORD for the latter)"
        fi
    fi
    case "$PG_SUPER_MODE" in
    runuser) (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres -Atc "$sql") ;;
    su) (cd / && printf '%s\n' "$sql" | "${SUDO[@]}" su postgres -s /bin/sh -c "psql -X -q -v ON_ERROR_STOP=1 -p $PG_PORT -d postgres -At") ;;
    tcp) psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -Atc "$sql" ;;
    esac
}

ensure_postgres() {
    if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! command -v psql >/dev/null 2>&1 ||
        ! command -v pg_isready >/dev/null 2>&1; then
        apt_install postgresql
    fi

    if ! pg_ready; then
        local version
        version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1 || true)
        if [ -z "$version" ]; then
            # No cluster config at all: use the newest installed server version.
            version=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1 || true)
            [ -n "$version" ] || die "no PostgreSQL server installed under /usr/lib/postgresql"
        fi
        if [ ! -d "/etc/postgresql/$version/$PG_CLUSTER" ]; then
            log "test-services: creating PostgreSQL cluster $version/$PG_CLUSTER"
            "${SUDO[@]}" pg_createcluster --port "$PG_PORT" "$version" "$PG_CLUSTER" >/dev/null
        fi
        log "test-services: starting PostgreSQL cluster $version/$PG_CLUSTER"
        "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$version" "$PG_CLUSTER" start ||
            pg_ready || die "could not start PostgreSQL $version/$PG_CLUSTER"
        wait_for 30 pg_ready || die "PostgreSQL $version/$PG_CLUSTER did not accept connections on $PG_HOST:$PG_PORT"
    fi

    # Role: create it if missing, then (re)apply attributes and password every time so a
    # role left over with other settings is fixed too.
    if [ "$(pg_super "select 1 from pg_roles where rolname = '$PG_ROLE'")" != "1" ]; then
        pg_super "create role \"$PG_ROLE\" login createdb password '$PG_PASSWORD'" >/dev/null
    fi
    pg_super "alter role \"$PG_ROLE\" with login createdb password '$PG_PASSWORD'" >/dev/null
    if [ "$(pg_super "select 1 from pg_database where datname = '$PG_DB'")" != "1" ]; then
        pg_super "create database \"$PG_DB\" owner \"$PG_ROLE\"" >/dev/null
    else
        pg_super "alter database \"$PG_DB\" owner to \"$PG_ROLE\"" >/dev/null
    fi

    # The way the app connects: password over TCP (works under trust and scram-sha-256).
    local url="postgres://$PG_ROLE:$PG_PASSWORD@$PG_HOST:$PG_PORT/$PG_DB"
    local server_version
    server_version=$(psql -X -q -Atc 'show server_version' "$url" 2>&1) ||
        die "PostgreSQL is up but $PG_ROLE cannot log in over TCP: $server_version (check pg_hba.conf)"
    echo "postgresql: ok (PostgreSQL $server_version at $PG_HOST:$PG_PORT, role/db $PG_ROLE/$PG_DB)"
}

# --------------------------------------------------------------------- Redis
redis_ready() { [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

ensure_redis() {
    if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
        apt_install redis-server
    fi
    if ! redis_ready; then
        log "test-services: starting redis-server on $REDIS_HOST:$REDIS_PORT"
        # Run from / so redis-server's working directory is not this checkout.
        (cd / && "${SUDO[@]}" redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" \
            --save "" --appendonly no) >/dev/null
        wait_for 15 redis_ready || die "redis-server did not answer PING on $REDIS_HOST:$REDIS_PORT"
    fi
    echo "redis: ok ($(redis-server --version | awk '{print $3}' | sed 's/^v=//') at $REDIS_HOST:$REDIS_PORT)"
}

# ------------------------------------------------------------------ Chromium
ensure_chromium() {
    if [ ! -x "$CHROMIUM" ]; then
        apt_install chromium
    fi
    [ -x "$CHROMIUM" ] || die "$CHROMIUM still missing after installing chromium"
    echo "chromium: ok ($("$CHROMIUM" --version 2>/dev/null | head -1 || echo "$CHROMIUM"))"
}

# ------------------------------------------------- WeasyPrint (invoice and receipt PDFs)
# Pango/HarfBuzz/Fontconfig for WeasyPrint (libharfbuzz-subset0 is often missing, and
# importing WeasyPrint then fails).  No font package: the Bangla/Latin fonts are vendored
# (netbill/static/vendor/fonts) and embedded through @font-face.
PDF_LIBS=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1)
ensure_pdf_libs() {
    local missing=() pkg
    for pkg in "${PDF_LIBS[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        apt_install "${missing[@]}"
    fi
    echo "weasyprint libraries: ok (${PDF_LIBS[*]})"
}

# ---------------------------------------------------------------- FreeRADIUS
# The binary, the PostgreSQL driver (rlm_sql_postgresql) and radclient.  The tests run
# `freeradius -f -d <their own directory>`; Debian's own service and /etc/freeradius are
# left alone.
FREERADIUS_PKGS=(freeradius freeradius-postgresql freeradius-utils)
ensure_freeradius() {
    local missing=() pkg
    for pkg in "${FREERADIUS_PKGS[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        apt_install "${missing[@]}"
    fi
    command -v freeradius >/dev/null 2>&1 || die "freeradius still missing after installing ${FREERADIUS_PKGS[*]}"
    echo "freeradius: ok ($(freeradius -v 2>/dev/null | sed -n 's/^radiusd: //p' | head -1))"
}

# ---------------------------------------------------------------------- ping
# The ping test (netbill/network/ping.py) runs the system ping against 127.0.0.1.
ensure_ping() {
    if ! command -v ping >/dev/null 2>&1; then
        apt_install iputils-ping
    fi
    command -v ping >/dev/null 2>&1 || die "ping still missing after installing iputils-ping"
    echo "ping: ok ($(ping -V 2>&1 | head -1))"
}

ensure_postgres
ensure_redis
ensure_chromium
ensure_pdf_libs
ensure_freeradius
ensure_ping
