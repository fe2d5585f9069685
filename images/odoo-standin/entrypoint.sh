#!/bin/bash
# The entrypoint of Slipway's Odoo stand-in image, with the contract of the official Odoo image's:
# the database host, port, user and password come from the config file ($ODOO_RC) when it sets
# them, else from HOST, PORT, USER, PASSWORD (or PASSWORD_FILE), else db, 5432, odoo, odoo; they
# are passed to odoo as flags after waiting (up to 30 s) for PostgreSQL. `odoo ARGS` and `-ARGS`
# run the stand-in (`odoo --version` and `--help` without waiting); anything else runs as given.
set -euo pipefail

if [[ -n "${PASSWORD_FILE:-}" ]]; then
    PASSWORD="$(<"$PASSWORD_FILE")"
fi
: "${HOST:=db}" "${PORT:=5432}" "${USER:=odoo}" "${PASSWORD:=odoo}"

db_args=()
# Adds --KEY VALUE, the value from the config file when it has KEY, else $2.
from_config() {
    local key="$1" value="$2" line
    if [[ -f "${ODOO_RC:-}" ]]; then
        line="$(grep -E "^[[:space:]]*${key}[[:space:]]*=" "$ODOO_RC" | tail -n 1 || true)"
        if [[ -n "$line" ]]; then
            value="${line#*=}"
            value="${value#"${value%%[![:space:]]*}"}"
            value="${value%"${value##*[![:space:]]}"}"
        fi
    fi
    db_args+=("--$key" "$value")
}
from_config db_host "$HOST"
from_config db_port "$PORT"
from_config db_user "$USER"
from_config db_password "$PASSWORD"

# Waits in the background, so SIGTERM (docker stop) ends the wait at once.
wait_for_database() {
    trap 'exit 143' TERM INT
    wait-for-psql.py "${db_args[@]}" --timeout=30 &
    wait $!
}

case "${1:-odoo}" in
odoo | --)
    shift || true
    case "${1:-}" in
    --version | -h | --help) exec odoo "$@" ;; # no database needed
    esac
    wait_for_database
    exec odoo "$@" "${db_args[@]}"
    ;;
-*)
    wait_for_database
    exec odoo "$@" "${db_args[@]}"
    ;;
*)
    exec "$@"
    ;;
esac
