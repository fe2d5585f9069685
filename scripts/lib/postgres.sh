# shellcheck shell=bash
#
# A throwaway PostgreSQL server for tests and benchmarks. Source this file, then:
#
#   pg_start_temp            # initdb + start on 127.0.0.1:<free port>, trust auth
#   echo "$PG_TEMP_URL"      # postgres://postgres@127.0.0.1:PORT/postgres
#   pg_stop_temp             # stop it and delete its directory (idempotent)
#
# Callers should `trap pg_stop_temp EXIT` (or call it from their own EXIT trap).
#
# After pg_start_temp these are set (all but PG_TEMP_DIR exported):
#   PG_TEMP_DIR         the temp directory (data/, sock/, postgres.log)
#   PG_TEMP_PORT        the TCP port on 127.0.0.1
#   PG_TEMP_SOCKET_DIR  the unix socket directory (socket file: $PG_TEMP_SOCKET_DIR/.s.PGSQL.$PG_TEMP_PORT)
#   PG_TEMP_URL         postgres://postgres@127.0.0.1:$PG_TEMP_PORT/postgres
#   PG_BINDIR           the PostgreSQL server binaries used
#
# initdb and postgres refuse to run as root: as root, they run as the `postgres`
# user through `runuser`, in a directory that user owns. As any other user they
# run as that user.

# Never inherited: a server belongs to the shell that started it.
PG_TEMP_DIR=""

# Prints the directory holding initdb/pg_ctl/postgres: $PG_BINDIR if set, else the
# newest /usr/lib/postgresql/*/bin.
pg_find_bindir() {
    if [[ -n "${PG_BINDIR:-}" ]]; then
        printf '%s\n' "$PG_BINDIR"
        return 0
    fi
    local dir found=""
    while IFS= read -r dir; do
        [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]] && found="$dir"
    done < <(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V)
    if [[ -z "$found" ]]; then
        echo "postgres.sh: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (install postgresql)" >&2
        return 1
    fi
    printf '%s\n' "$found"
}

# Runs a command as the user that owns the server's files.
_pg_as_owner() {
    if [[ "$(id -u)" -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# True if something accepts TCP connections on 127.0.0.1:$1.
_pg_port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints a port in 20000..59999 that nothing listens on right now. The server may
# still lose a race for it; pg_start_temp retries with another port.
_pg_pick_port() {
    local port tries=0
    while ((tries < 50)); do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        if ! _pg_port_in_use "$port"; then
            printf '%s\n' "$port"
            return 0
        fi
        tries=$((tries + 1))
    done
    echo "postgres.sh: found no free port" >&2
    return 1
}

pg_start_temp() {
    if [[ -n "${PG_TEMP_DIR:-}" && -d "${PG_TEMP_DIR:-}" ]]; then
        echo "postgres.sh: a temp server is already running in $PG_TEMP_DIR" >&2
        return 1
    fi
    local bindir
    bindir="$(pg_find_bindir)" || return 1
    PG_BINDIR="$bindir"

    if [[ "$(id -u)" -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        echo "postgres.sh: running as root but there is no 'postgres' user (install postgresql)" >&2
        return 1
    fi

    # /tmp, not $TMPDIR: the postgres user must be able to reach the directory.
    PG_TEMP_DIR="$(mktemp -d /tmp/slipway-pg.XXXXXXXX)" || return 1
    PG_TEMP_SOCKET_DIR="$PG_TEMP_DIR/sock"
    export PG_TEMP_SOCKET_DIR PG_BINDIR
    if ! mkdir -p "$PG_TEMP_SOCKET_DIR" ||
        { [[ "$(id -u)" -eq 0 ]] && ! chown -R postgres:postgres "$PG_TEMP_DIR"; }; then
        echo "postgres.sh: could not prepare $PG_TEMP_DIR" >&2
        pg_stop_temp
        return 1
    fi

    local data="$PG_TEMP_DIR/data" log="$PG_TEMP_DIR/postgres.log"
    if ! _pg_as_owner "$bindir/initdb" -D "$data" -U postgres --auth=trust \
        --encoding=UTF8 --locale=C --no-sync >"$PG_TEMP_DIR/initdb.log" 2>&1; then
        echo "postgres.sh: initdb failed:" >&2
        cat "$PG_TEMP_DIR/initdb.log" >&2
        pg_stop_temp
        return 1
    fi

    # Settings for a disposable test server: no durability, enough connections for
    # parallel tests with pools.
    _pg_as_owner tee -a "$data/postgresql.conf" >/dev/null <<CONF

# --- slipway test server ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_TEMP_SOCKET_DIR'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 128MB
log_min_messages = warning
CONF

    local attempt port
    for attempt in 1 2 3 4 5; do
        port="$(_pg_pick_port)" || break
        # The last `port` line in the file wins.
        printf 'port = %s\n' "$port" | _pg_as_owner tee -a "$data/postgresql.conf" >/dev/null
        if _pg_as_owner "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 30 start >/dev/null 2>&1; then
            PG_TEMP_PORT="$port"
            PG_TEMP_URL="postgres://postgres@127.0.0.1:$port/postgres"
            export PG_TEMP_PORT PG_TEMP_URL
            if "$bindir/psql" -X -q -w -h 127.0.0.1 -p "$port" -U postgres -d postgres \
                -v ON_ERROR_STOP=1 -c 'SELECT 1' >/dev/null 2>&1; then
                echo "postgres.sh: PostgreSQL $("$bindir/postgres" -V | awk '{print $3}') at $PG_TEMP_URL (dir $PG_TEMP_DIR)" >&2
                return 0
            fi
            echo "postgres.sh: server started but does not answer on port $port" >&2
            break
        fi
        echo "postgres.sh: start on port $port failed (attempt $attempt)" >&2
    done
    echo "postgres.sh: could not start PostgreSQL; log:" >&2
    tail -n 40 "$log" >&2 2>/dev/null || true
    pg_stop_temp
    return 1
}

# Stops the server started by pg_start_temp and deletes its directory. Safe to call
# more than once and when nothing was started.
pg_stop_temp() {
    local dir="${PG_TEMP_DIR:-}"
    [[ -n "$dir" && -d "$dir" ]] || return 0
    local data="$dir/data" bindir="${PG_BINDIR:-}"
    if [[ -f "$data/postmaster.pid" ]]; then
        if [[ -n "$bindir" ]] &&
            _pg_as_owner "$bindir/pg_ctl" -D "$data" -m fast -w -t 20 stop >/dev/null 2>&1; then
            :
        else
            local pid
            pid="$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)"
            if [[ "$pid" =~ ^[0-9]+$ ]]; then
                kill -QUIT "$pid" 2>/dev/null || true
                sleep 1
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
    fi
    rm -rf -- "$dir"
    PG_TEMP_DIR=""
    PG_TEMP_PORT=""
    PG_TEMP_URL=""
    return 0
}
