#!/usr/bin/env bash
# bench/deploy-by-hand.sh: the deploy Slipway's pipeline does, typed by hand with git, the docker CLI and curl:
# fetch the repository into a bare mirror, `git archive` the branch's commit into `docker build`, create the idle
# colour on a loopback port (joining, like Slipway's, an app network and an internal database network) and start
# it, curl its health path until it answers, move a Caddy route's upstream to it through Caddy's admin API, check
# through Caddy that the new container is the one answering, stop the old one.
# `bench/deploy` runs it beside Slipway (Tests/SlipwayEngineTests/DeployBench.swift); it is not for production.
#
#   deploy-by-hand.sh setup      # the mirror, two networks and a route of its own (not timed)
#   deploy-by-hand.sh deploy     # one deploy of the branch's head; prints `lap NAME SECONDS` per stage
#   deploy-by-hand.sh teardown   # removes its containers, images, network, route and directory
#
# All of it comes from the environment:
#   HAND_SOCKET   the Docker engine's socket            HAND_DIR     a directory of its own (mirror, state)
#   HAND_REPO     the git repository's URL              HAND_BRANCH  the branch to deploy (main)
#   HAND_NAME     names its containers (NAME-blue, NAME-green), image, network and Caddy route id
#   HAND_BLUE, HAND_GREEN   each colour's port on 127.0.0.1    HAND_APP_PORT  the app's port in the container
#   HAND_ADMIN    Caddy's admin port on 127.0.0.1       HAND_PROXY   Caddy's HTTP port on 127.0.0.1
#   HAND_HOST     the host name of its route            HAND_HEALTH  the health path (/)
set -euo pipefail

: "${HAND_SOCKET:?} ${HAND_DIR:?} ${HAND_REPO:?} ${HAND_NAME:?} ${HAND_BLUE:?} ${HAND_GREEN:?}"
: "${HAND_ADMIN:?} ${HAND_PROXY:?} ${HAND_HOST:?}"
branch="${HAND_BRANCH:-main}"
app_port="${HAND_APP_PORT:-8080}"
health="${HAND_HEALTH:-/}"
mirror="$HAND_DIR/mirror.git"
label="io.slipway.bench=$HAND_NAME"
admin="http://127.0.0.1:$HAND_ADMIN"

docker() { command docker --host "unix://$HAND_SOCKET" "$@"; }
say() { printf '%s\n' "$*"; }
fail() {
    printf 'deploy-by-hand: %s\n' "$*" >&2
    exit 1
}

# `lap NAME`: prints how long since the last lap (or the start), in seconds.
last_lap=$EPOCHREALTIME
lap() {
    local now=$EPOCHREALTIME
    say "lap $1 $(awk -v a="$last_lap" -v b="$now" 'BEGIN { printf "%.3f", b - a }')"
    last_lap=$now
}

setup() {
    mkdir -p "$HAND_DIR"
    git init --bare --quiet "$mirror"
    docker network inspect "$HAND_NAME" >/dev/null 2>&1 ||
        docker network create --label "$label" "$HAND_NAME" >/dev/null
    # Slipway's colours also join the server's internal database network: the hands' do too.
    docker network inspect "$HAND_NAME-db" >/dev/null 2>&1 ||
        docker network create --internal --label "$label" "$HAND_NAME-db" >/dev/null
    # Its own route, first in Slipway's Caddy server, on a dead upstream until the first deploy.
    local route
    route=$(printf '{"@id":"%s","match":[{"host":["%s"]}],"handle":[{"handler":"reverse_proxy","upstreams":[{"dial":"127.0.0.1:%s"}]}],"terminal":true}' \
        "$HAND_NAME" "$HAND_HOST" "$HAND_BLUE")
    curl -fsS -X DELETE "$admin/id/$HAND_NAME" >/dev/null 2>&1 || true
    curl -fsS -X PUT -H 'Content-Type: application/json' --data "$route" \
        "$admin/config/apps/http/servers/slipway/routes/0" >/dev/null
}

deploy() {
    git -C "$mirror" fetch --quiet --force --prune --no-write-fetch-head -- "$HAND_REPO" \
        '+refs/heads/*:refs/heads/*' '+refs/tags/*:refs/tags/*'
    local sha
    sha=$(git -C "$mirror" rev-parse --verify --quiet "refs/heads/$branch^{commit}") || fail "no branch $branch"
    lap fetch
    # The classic builder, as Slipway's POST /build uses it (no buildx here).
    git -C "$mirror" archive --format=tar "$sha" |
        DOCKER_BUILDKIT=0 docker build --quiet --label "$label" --tag "$HAND_NAME:$sha" - >/dev/null
    lap build

    local old new port
    old=$(cat "$HAND_DIR/active" 2>/dev/null || true)
    if [[ "$old" == blue ]]; then new=green port=$HAND_GREEN; else new=blue port=$HAND_BLUE; fi
    docker rm --force "$HAND_NAME-$new" >/dev/null 2>&1 || true
    # `docker run` joins one network; the second (the database's) is joined between create and start.
    docker create --name "$HAND_NAME-$new" --label "$label" --network "$HAND_NAME" \
        --publish "127.0.0.1:$port:$app_port" --restart unless-stopped "$HAND_NAME:$sha" >/dev/null
    docker network connect "$HAND_NAME-db" "$HAND_NAME-$new"
    docker start "$HAND_NAME-$new" >/dev/null
    lap run

    local page="" until=$((SECONDS + 60))
    until page=$(curl -fsS --max-time 2 "http://127.0.0.1:$port$health" 2>/dev/null); do
        ((SECONDS < until)) || fail "$new did not answer $health on 127.0.0.1:$port within 60 s"
        sleep 0.5
    done
    lap health

    curl -fsS -X PATCH -H 'Content-Type: application/json' --data "[{\"dial\":\"127.0.0.1:$port\"}]" \
        "$admin/id/$HAND_NAME/handle/0/upstreams" >/dev/null
    lap switch
    # Caddy answers with the new container's page.
    until=$((SECONDS + 15))
    until [[ "$(curl -fsS --max-time 2 -H "Host: $HAND_HOST" "http://127.0.0.1:$HAND_PROXY$health" 2>/dev/null)" == "$page" ]]; do
        ((SECONDS < until)) || fail "Caddy did not answer from $new within 15 s"
        sleep 0.2
    done
    lap check

    if [[ -n "$old" ]]; then
        docker stop --time 30 "$HAND_NAME-$old" >/dev/null
    fi
    printf '%s\n' "$new" >"$HAND_DIR/active"
    lap stop
    say "deployed $sha on $new (127.0.0.1:$port)"
}

teardown() {
    local ids=()
    mapfile -t ids < <(docker ps --all --quiet --filter "label=$label")
    ((${#ids[@]} == 0)) || docker rm --force "${ids[@]}" >/dev/null
    mapfile -t ids < <(docker images --quiet --filter "label=$label" | sort -u)
    ((${#ids[@]} == 0)) || docker rmi --force "${ids[@]}" >/dev/null 2>&1 || true
    docker network rm "$HAND_NAME" "$HAND_NAME-db" >/dev/null 2>&1 || true
    curl -fsS -X DELETE "$admin/id/$HAND_NAME" >/dev/null 2>&1 || true
    rm -rf -- "$HAND_DIR"
}

case "${1:-}" in
setup | deploy | teardown) "$1" ;;
*) fail "usage: deploy-by-hand.sh setup|deploy|teardown" ;;
esac
