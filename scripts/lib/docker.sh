# shellcheck shell=bash
#
# A throwaway Docker engine for tests and benchmarks. Source this file, then:
#
#   docker_start_temp                    # dockerd on its own socket under a temp dir
#   echo "$SLIPWAY_TEST_DOCKER_SOCKET"   # /tmp/slipway-docker.XXXXXXXX/docker.sock
#   docker_stop_temp                     # stop it and delete its directory (idempotent)
#
# Callers should `trap docker_stop_temp EXIT` (or call it from their own EXIT trap).
#
# The engine has its own data root, exec root (with its own containerd), pid file and socket, so it
# never touches a system engine's containers or images. It runs without the default bridge
# (`--bridge none`), so it never fights another engine over docker0: containers that publish
# ports join a network of their own, which the tests create. Needs root and Debian's docker.io.
#
# After docker_start_temp these are set:
#   DOCKER_TEMP_DIR             the temp directory (data/, exec/, docker.pid, dockerd.log)
#   DOCKER_TEMP_PID             dockerd's process id
#   SLIPWAY_TEST_DOCKER_SOCKET  the engine's socket (exported; DockerTestEngine uses it)

# Never inherited: an engine belongs to the shell that started it.
DOCKER_TEMP_DIR=""
DOCKER_TEMP_PID=""

# True if the engine on the unix socket $1 answers /_ping.
_docker_answers() {
    [[ -S "$1" ]] && curl -fsS --max-time 2 --unix-socket "$1" http://docker/_ping >/dev/null 2>&1
}

docker_start_temp() {
    if [[ -n "${DOCKER_TEMP_DIR:-}" && -d "${DOCKER_TEMP_DIR:-}" ]]; then
        echo "docker.sh: a temp engine is already running in $DOCKER_TEMP_DIR" >&2
        return 1
    fi
    local dockerd
    dockerd="$(PATH="$PATH:/usr/sbin:/sbin" command -v dockerd)" || {
        echo "docker.sh: dockerd not found (install docker.io)" >&2
        return 1
    }
    if [[ "$(id -u)" -ne 0 ]]; then
        echo "docker.sh: dockerd needs root" >&2
        return 1
    fi
    # A short path: the socket's must stay under the 108 bytes a unix socket address holds.
    DOCKER_TEMP_DIR="$(mktemp -d /tmp/slipway-docker.XXXXXXXX)" || return 1
    # Others may pass through to the socket, which dockerd gives to the docker group: the SSH tests'
    # users, in that group, reach this engine through their SSH connection as a deploy user would.
    chmod 0711 "$DOCKER_TEMP_DIR"
    local socket="$DOCKER_TEMP_DIR/docker.sock" log="$DOCKER_TEMP_DIR/dockerd.log"
    "$dockerd" --data-root "$DOCKER_TEMP_DIR/data" --exec-root "$DOCKER_TEMP_DIR/exec" \
        --pidfile "$DOCKER_TEMP_DIR/docker.pid" --host "unix://$socket" \
        --bridge none --log-level warn </dev/null >"$log" 2>&1 &
    DOCKER_TEMP_PID=$!
    local waited=0
    while ((waited < 600)); do
        if _docker_answers "$socket"; then
            SLIPWAY_TEST_DOCKER_SOCKET="$socket"
            export SLIPWAY_TEST_DOCKER_SOCKET
            echo "docker.sh: dockerd $("$dockerd" --version | awk '{print $3}' | tr -d ,) at $socket (dir $DOCKER_TEMP_DIR)" >&2
            return 0
        fi
        kill -0 "$DOCKER_TEMP_PID" 2>/dev/null || break
        sleep 0.1
        waited=$((waited + 1))
    done
    echo "docker.sh: dockerd did not answer on $socket; log:" >&2
    tail -n 40 "$log" >&2 2>/dev/null || true
    docker_stop_temp
    return 1
}

# Stops the engine started by docker_start_temp and deletes its directory. Safe to call more than
# once and when nothing was started. The directory stays when dockerd would not stop: a data root
# with live mounts must not be deleted.
docker_stop_temp() {
    local dir="${DOCKER_TEMP_DIR:-}" pid="${DOCKER_TEMP_PID:-}" waited=0
    [[ -n "$dir" && -d "$dir" ]] || return 0
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
        # On SIGTERM dockerd stops its containers and containerd and unmounts, then exits.
        kill -TERM "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null && ((waited < 300)); do
            sleep 0.1
            waited=$((waited + 1))
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "docker.sh: dockerd $pid did not stop in 30 s; killed, $dir left in place" >&2
            kill -KILL "$pid" 2>/dev/null || true
            dir=""
        fi
    fi
    if [[ -n "$dir" ]]; then
        # dockerd leaves its default network namespace (exec/netns/default) mounted once a container
        # joined a network: unmount whatever is still mounted below the directory, then delete it.
        local _device mounted _rest
        while read -r _device mounted _rest; do
            if [[ "$mounted" == "$dir"/* ]]; then
                umount -l "$mounted" 2>/dev/null || true
            fi
        done </proc/mounts
        rm -rf -- "$dir" 2>/dev/null || echo "docker.sh: could not remove all of $dir" >&2
    fi
    DOCKER_TEMP_DIR=""
    DOCKER_TEMP_PID=""
    unset SLIPWAY_TEST_DOCKER_SOCKET
    return 0
}
