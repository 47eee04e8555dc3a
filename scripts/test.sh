#!/usr/bin/env bash
# Keel's whole test suite: what `make test` and CI run.
#
#   lint      ruff check, ruff format --check, lint-imports (the layers), mypy
#   checks    keel check --fail-level WARNING, keel makemigrations --check
#   browser   makes sure Debian's chromium is there (installs it when root on Debian)
#   sqlite    pytest, the whole suite, on SQLite
#   postgres  pytest, the whole suite again, on PostgreSQL
#
# Every stage runs even when an earlier one failed, so one run shows all that is wrong; a
# summary line per stage ends the output, and the exit status is 1 if any stage failed.
# Arguments go to both pytest runs: scripts/test.sh -k partnership -x
#
# Environment:
#   CI=true              a missing chromium or PostgreSQL fails the run instead of skipping
#   DATABASE_URL         postgres://… to test against; otherwise the local server on
#                        127.0.0.1:5432 if it lets `postgres` in, else a private throwaway
#                        cluster when PostgreSQL's server programs are installed
#   KEEL_TEST_POSTGRES   auto (default) | private (a throwaway cluster, whatever else there
#                        is) | off
#   KEEL_CHROMIUM        the browser to drive (default /usr/bin/chromium)
#
# Nothing touches the user's data: every stage gets its own KEEL_DATA_DIR in a temp folder.
# The stage functions are called by name, through `stage`:
# shellcheck disable=SC2317
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
if [[ -x .venv/bin/python && -z ${VIRTUAL_ENV:-} ]]; then
    PATH="$ROOT/.venv/bin:$PATH"
fi

export KEEL_CHROMIUM=${KEEL_CHROMIUM:-/usr/bin/chromium}
PYTEST_ARGS=("$@")
PYTEST_MARK=()
SKIPPED=77 # a stage's exit status for "skipped, reason printed" (Automake's convention)

WORK=$(mktemp -d -t keel-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

is_ci() { [[ ${CI:-} == true || ${CI:-} == 1 ]]; }

say() {
    if [[ -t 1 ]]; then printf '\n\033[1m==> %s\033[0m\n' "$*"; else printf '\n==> %s\n' "$*"; fi
}

# --- stages: each runs in a subshell with `set -e` in force -------------------------------

lint_stage() {
    ruff check .
    ruff format --check .
    # The layers of docs/architecture.md; contracts in pyproject.toml.
    lint-imports --no-cache
    # django-stubs' plugin loads the settings, which want a data folder.
    KEEL_DATA_DIR="$WORK/lint-data" mypy
}

checks_stage() {
    export KEEL_DATA_DIR="$WORK/checks-data"
    unset DATABASE_URL
    python -m keel check --fail-level WARNING
    python -m keel makemigrations --check --dry-run
}

browser_stage() {
    if [[ -x $KEEL_CHROMIUM ]]; then
        echo "$KEEL_CHROMIUM: $("$KEEL_CHROMIUM" --version 2>/dev/null || echo 'version unknown')"
        return 0
    fi
    # Debian's package puts it at the default path; a browser named in KEEL_CHROMIUM is the
    # caller's to provide.
    if [[ $KEEL_CHROMIUM == /usr/bin/chromium && $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "Installing Debian's chromium with apt-get…"
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
            >"$WORK/apt.log" 2>&1; then
            tail -n 25 "$WORK/apt.log" >&2
            echo "Could not install chromium with apt-get (log above)." >&2
            return 1
        fi
        [[ -x $KEEL_CHROMIUM ]] || { echo "apt-get installed chromium but $KEEL_CHROMIUM is missing" >&2; return 1; }
        return 0
    fi
    if is_ci; then
        echo "CI=true and $KEEL_CHROMIUM is missing: the browser tests cannot run." >&2
        echo "Install Debian's chromium (apt-get install chromium) on the CI machine." >&2
        return 1
    fi
    echo "browser tests skipped: install Debian's chromium (apt-get install chromium) to run them"
    return "$SKIPPED"
}

run_pytest() {
    local status=0
    python -m pytest -n auto -p no:cacheprovider ${PYTEST_MARK[@]+"${PYTEST_MARK[@]}"} \
        ${PYTEST_ARGS[@]+"${PYTEST_ARGS[@]}"} || status=$?
    if [[ $status -eq 5 ]]; then
        echo "pytest collected no tests (exit status 5): counted as a failure." >&2
    fi
    return "$status"
}

# The SQLite run also measures coverage of keel/ and fails below the floor (in
# pyproject.toml, [tool.coverage.report] fail_under), unless arguments narrowed the run.
sqlite_stage() {
    export KEEL_DATA_DIR="$WORK/sqlite-data"
    unset DATABASE_URL
    if [[ ${#PYTEST_ARGS[@]} -eq 0 ]]; then
        PYTEST_ARGS=(--cov=keel --cov-report=term:skip-covered)
        run_pytest
        local status=$?
        PYTEST_ARGS=()
        return "$status"
    fi
    run_pytest
}

# Can we sign in to this server as `postgres` with no password? (pg_isready alone would
# also say yes to a server that then refuses us.)
postgres_accepts() {
    python - "$1" "$2" <<'EOF' >/dev/null 2>&1
import sys

import psycopg

psycopg.connect(host=sys.argv[1], port=sys.argv[2], user="postgres", dbname="postgres", connect_timeout=3).close()
EOF
}

# The directory of PostgreSQL's server programs (initdb, pg_ctl), or nothing.
postgres_bindir() {
    local initdb installed=(/usr/lib/postgresql/*/bin/initdb)
    initdb=$(command -v initdb || true)
    if [[ -z $initdb && -e ${installed[0]} ]]; then
        initdb=$(printf '%s\n' "${installed[@]}" | sort -V | tail -n 1)
    fi
    [[ -n $initdb ]] && dirname "$(readlink -f "$initdb")"
}

# initdb refuses to run as root, so as root the cluster belongs to the `postgres` user.
as_cluster_owner() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

stop_private_postgres() {
    if [[ -f $PG_DIR/data/postmaster.pid ]]; then
        as_cluster_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_DIR"
}

# Starts a throwaway cluster on a free port, stopped and removed when the stage ends, and sets
# PRIVATE_URL. Its folder is not under $WORK, which only we may enter. PG_BIN and PG_DIR are
# global: the EXIT trap reads them.
start_private_postgres() {
    local port
    PG_BIN=$1
    PG_DIR=$(mktemp -d -t keel-pg.XXXXXX)
    trap 'stop_private_postgres' EXIT
    if [[ $EUID -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || { echo "Running as root and there is no postgres user to run initdb." >&2; return 1; }
        chown postgres: "$PG_DIR"
    fi
    port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    if ! as_cluster_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust --encoding=UTF8 --locale=C \
        --no-sync >"$PG_DIR/initdb.log" 2>&1; then
        cat "$PG_DIR/initdb.log" >&2
        return 1
    fi
    # The data is thrown away afterwards, so durability is switched off for speed.
    if ! as_cluster_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null; then
        cat "$PG_DIR/server.log" >&2
        return 1
    fi
    echo "PostgreSQL: a private cluster ($("$PG_BIN/postgres" --version)) on 127.0.0.1:$port"
    PRIVATE_URL="postgres://postgres@127.0.0.1:$port/keel"
}

postgres_stage() {
    local mode=${KEEL_TEST_POSTGRES:-auto} url="" bindir
    trap 'exit 130' INT
    trap 'exit 143' TERM
    if [[ $mode == off ]]; then
        echo "PostgreSQL run skipped: KEEL_TEST_POSTGRES=off"
        return "$SKIPPED"
    fi
    if [[ $mode == auto ]]; then
        case ${DATABASE_URL:-} in
        postgres://* | postgresql://* | pgsql://*)
            url=$DATABASE_URL
            echo "PostgreSQL: DATABASE_URL from the environment"
            ;;
        esac
    fi
    # pytest-django creates (and drops) its own test_<name>[_gwN] databases through the
    # `postgres` maintenance database, so the named database need not exist; the PID keeps
    # two runs on one server (two people, two checkouts) out of each other's way.
    if [[ -z $url && $mode == auto ]] && postgres_accepts 127.0.0.1 5432; then
        url="postgres://postgres@127.0.0.1:5432/keel_$$"
        echo "PostgreSQL: the server on 127.0.0.1:5432"
    fi
    if [[ -z $url ]] && bindir=$(postgres_bindir); then
        start_private_postgres "$bindir"
        url=$PRIVATE_URL
    fi
    if [[ -z $url ]]; then
        if is_ci; then
            echo "CI=true and no PostgreSQL: set DATABASE_URL=postgres://… or install PostgreSQL." >&2
            return 1
        fi
        echo "PostgreSQL run skipped: set DATABASE_URL=postgres://user@host:port/name, run a server"
        echo "on 127.0.0.1:5432 that lets 'postgres' in, or install PostgreSQL's server programs"
        echo "(apt-get install postgresql) for a private throwaway cluster."
        return "$SKIPPED"
    fi
    export DATABASE_URL=$url
    export KEEL_DATA_DIR="$WORK/postgres-data"
    run_pytest
}

# --- the run --------------------------------------------------------------------------------

SUMMARY=()
FAILED=0
START=$SECONDS

stage() {
    local name=$1 status=0 began=$SECONDS result
    say "$name"
    set +e
    (
        set -e
        "${name}_stage"
    )
    status=$?
    set -e
    case $status in
    0) result=ok ;;
    "$SKIPPED") result=skipped ;;
    *)
        result="FAILED ($status)"
        FAILED=1
        ;;
    esac
    SUMMARY+=("$(printf '  %-9s %-12s %4ss' "$name" "$result" $((SECONDS - began)))")
}

stage lint
stage checks
stage browser
# Missing chromium on a laptop: leave the browser tests out. On CI they stay in and fail
# loudly (tests/browser/conftest.py), so a broken CI machine cannot pass by skipping them.
if [[ ! -x $KEEL_CHROMIUM ]] && ! is_ci; then
    PYTEST_MARK=(-m "not browser")
fi
stage sqlite
stage postgres

say "summary"
printf '%s\n' "${SUMMARY[@]}"
printf '  %-9s %-12s %4ss\n' total "$([[ $FAILED -eq 0 ]] && echo ok || echo FAILED)" $((SECONDS - START))
exit $FAILED
