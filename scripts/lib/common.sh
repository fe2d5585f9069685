# shellcheck shell=bash
#
# Shared helpers for scripts/*. Source it; it sets SLIPWAY_ROOT (the repository root).

SLIPWAY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# The schemathesis version the contract check uses, and the pinned versions of its
# dependencies (so a new release of one of them cannot change CI's result).
SCHEMATHESIS_VERSION="3.39.16"
SCHEMATHESIS_CONSTRAINTS="$SLIPWAY_ROOT/scripts/lib/schemathesis-constraints.txt"
SLIPWAY_VENV="$SLIPWAY_ROOT/.build-venv"

# The toolchain lives at /opt/swift on this project's machines; find it even when PATH
# was trimmed.
if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then
    PATH="/opt/swift/usr/bin:$PATH"
    export PATH
fi

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "error: need root (or sudo) to run: $*" >&2
        return 1
    fi
}

# Prints the Debian packages among the arguments that are not installed.
apt_missing() {
    local pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            printf '%s\n' "$pkg"
        fi
    done
}

# Installs the Debian packages among the arguments that are missing; does nothing
# (and needs no network) when all are there.
ensure_apt_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        warn "no dpkg here; make sure these are installed: $*"
        return 0
    fi
    local missing=()
    mapfile -t missing < <(apt_missing "$@")
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    log "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" || return 1
}

# The Debian packages every script here may need.
# shellcheck disable=SC2034  # used by the scripts that source this file
SLIPWAY_APT_PACKAGES=(
    busybox-static # the Docker tests' base image (Docker Hub is out of reach)
    ca-certificates
    curl
    docker-registry # the Docker push test's loopback registry
    docker.io       # dockerd for the Docker tests (scripts/lib/docker.sh)
    jq
    libsqlite3-dev
    openssh-client  # ssh, ssh-keyscan, ssh-keygen: the SSH transport
    openssh-server  # sshd for the SSH tests (each test run starts its own, on loopback)
    postgresql
    postgresql-client
    python3
    python3-venv
    sqlite3
    wrk
)

_schemathesis_stamp() {
    printf 'schemathesis==%s constraints=%s\n' "$SCHEMATHESIS_VERSION" \
        "$(sha256sum "$SCHEMATHESIS_CONSTRAINTS" | cut -d' ' -f1)"
}

# Makes sure $SLIPWAY_VENV/bin/schemathesis is the pinned version; (re)creates the
# virtualenv when it is missing or stale.
ensure_schemathesis() {
    local stamp_file="$SLIPWAY_VENV/.slipway-stamp" want
    want="$(_schemathesis_stamp)"
    if [[ -x "$SLIPWAY_VENV/bin/schemathesis" && -f "$stamp_file" && "$(cat "$stamp_file")" == "$want" ]]; then
        return 0
    fi
    # Debian's python3 (with python3-venv) is the one we install; fall back to PATH.
    local python=/usr/bin/python3
    [[ -x "$python" ]] || python="$(command -v python3)" || die "python3 not found"
    log "installing schemathesis $SCHEMATHESIS_VERSION into ${SLIPWAY_VENV#"$SLIPWAY_ROOT"/}"
    rm -rf -- "$SLIPWAY_VENV"
    "$python" -m venv "$SLIPWAY_VENV" || return 1
    "$SLIPWAY_VENV/bin/pip" install --quiet --disable-pip-version-check \
        --constraint "$SCHEMATHESIS_CONSTRAINTS" "schemathesis==$SCHEMATHESIS_VERSION" || return 1
    "$SLIPWAY_VENV/bin/schemathesis" --version >/dev/null || return 1
    printf '%s\n' "$want" >"$stamp_file"
}

# Prints a TCP port on 127.0.0.1 that nothing listens on right now.
pick_free_port() {
    local port tries=0
    while ((tries < 50)); do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            printf '%s\n' "$port"
            return 0
        fi
        tries=$((tries + 1))
    done
    echo "error: found no free port" >&2
    return 1
}
