#!/usr/bin/env bash
# Installs, starts, stops and reports the two servers Pipeline's distributed mode and integration tests use:
# RabbitMQ (AMQP 127.0.0.1:5672, management 127.0.0.1:15672, guest/guest) and Azurite's blob service (127.0.0.1:10000).
# Runs without Docker or systemd: the servers are plain background processes whose data, logs and PIDs live under
# <repo>/.infra (git-ignored), so `stop` only ever touches what `start` launched.
#
#   infra/servers.sh install   apt packages and Azurite (pinned in infra/azurite); idempotent
#   infra/servers.sh start     both servers, waiting until they really answer; a server already up is left as it is
#   infra/servers.sh stop      what `start` launched; tolerant of servers already stopped
#   infra/servers.sh status    one line per server; non-zero exit when one is down
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state="$repo/.infra"

# chromium: the dashboard's browser test drives Debian's headless chromium (no browser is ever downloaded).
apt_packages=(rabbitmq-server python3-torch libopenblas0-openmp docker-compose chromium)

azurite_pin="$repo/infra/azurite"
azurite_home="$state/azurite"
azurite_bin="$azurite_home/node_modules/.bin/azurite-blob"
azurite_data="$state/azurite-data"
azurite_log="$state/azurite.log"
azurite_pidfile="$state/azurite.pid"
azurite_port=10000
azurite_url="http://127.0.0.1:$azurite_port/"

rabbit_link="$state/rabbitmq"
rabbit_pidfile="$state/rabbitmq.pid"
epmd_marker="$state/epmd.ours"
amqp_port=5672
management_url="http://127.0.0.1:15672"

start_timeout=${PIPELINE_SERVER_START_TIMEOUT:-120}

log() { printf '%s\n' "servers: $*"; }
fail() { printf '%s\n' "servers: $*" >&2; exit 1; }

require_root() {
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || fail "must run as root (apt-get, and RabbitMQ runs as user rabbitmq)"
        exec sudo --preserve-env=CI,PIPELINE_SERVER_START_TIMEOUT "$0" "$@"
    fi
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
# The PID recorded in file $1, if that process still runs program $2; a PID reused after a reboot is not ours.
pid_from() {
    local pid
    [ -f "$1" ] || return 0
    pid=$(tr -dc '0-9' <"$1" 2>/dev/null || true)
    if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]; then printf '%s\n' "$pid"; fi
}
port_listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
http_code() { curl -s -o /dev/null -m 3 -w '%{http_code}' "$@" || true; }
rabbit_answers() { [ "$(http_code -u guest:guest "$management_url/api/overview")" = 200 ] && port_listening "$amqp_port"; }
azurite_answers() { [ "$(http_code "$azurite_url")" != 000 ]; }

# True when a server is already up: ours (live PID file) or someone else's (its port taken, and `$5...` says it is
# the right kind of server, which is then used and left alone). Fails when the port is held by anything else.
already_up() {
    local name=$1 pidfile=$2 program=$3 port=$4 pid
    shift 4
    pid=$(pid_from "$pidfile" "$program")
    if pid_alive "$pid"; then
        log "$name already running (pid $pid)"
        return 0
    fi
    rm -f "$pidfile"
    port_listening "$port" || return 1
    "$@" || fail "port $port is taken by something that is not $name"
    log "$name already running on 127.0.0.1:$port, not started by this script: using it, leaving it alone"
}

# RabbitMQ's state folder must be reachable by user rabbitmq; a clone inside a private folder (mode 0700, e.g. from
# mktemp -d or under /root) is not, so the state then lives under /var/lib/rabbitmq and .infra/rabbitmq links to it.
rabbit_state_dir() {
    mkdir -p "$state"
    if [ -L "$rabbit_link" ] || [ -d "$rabbit_link" ]; then
        readlink -f "$rabbit_link"
        return
    fi
    mkdir -p "$rabbit_link"
    chown rabbitmq:rabbitmq "$rabbit_link"
    if su rabbitmq -s /bin/sh -c "test -w '$rabbit_link'"; then
        readlink -f "$rabbit_link"
        return
    fi
    rmdir "$rabbit_link"
    local outside
    outside="/var/lib/rabbitmq/pipeline-$(printf '%s' "$repo" | cksum | cut -d' ' -f1)"
    mkdir -p "$outside"
    ln -s "$outside" "$rabbit_link"
    log "user rabbitmq cannot reach $repo; RabbitMQ state lives in $outside (linked from .infra/rabbitmq)" >&2
    printf '%s\n' "$outside"
}

# Every rabbitmq-server and rabbitmqctl call shares these, so the CLI talks to our node and nothing binds beyond loopback.
rabbit_env() {
    local dir=$1
    export RABBITMQ_NODENAME=rabbit@localhost
    export RABBITMQ_CONF_ENV_FILE="$dir/etc/rabbitmq-env.conf"
    export RABBITMQ_CONFIG_FILE="$dir/etc/rabbitmq.conf"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/etc/advanced.config"
    export RABBITMQ_CONFIG_FILES="$dir/etc/conf.d"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/etc/enabled_plugins"
    export RABBITMQ_MNESIA_BASE="$dir/mnesia"
    export RABBITMQ_LOG_BASE="$dir/log"
    export RABBITMQ_PID_FILE="$dir/server.pid"
    export ERL_EPMD_ADDRESS=127.0.0.1
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

rabbit_log_tail() {
    local dir=$1 f
    for f in "$dir/log/console.log" "$dir/log/rabbit@localhost.log"; do
        [ -s "$f" ] || continue
        printf -- '--- last lines of %s\n' "$f" >&2
        tail -n 40 "$f" >&2
    done
}

is_installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]; }

install_apt() {
    local wanted=("${apt_packages[@]}") missing=() p
    command -v npm >/dev/null || wanted+=(nodejs npm)
    command -v curl >/dev/null || wanted+=(curl)
    command -v ss >/dev/null || wanted+=(iproute2)
    for p in "${wanted[@]}"; do is_installed "$p" || missing+=("$p"); done
    if [ ${#missing[@]} -eq 0 ]; then
        log "apt packages present: ${wanted[*]}"
        return
    fi
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # --no-install-recommends: docker-compose would otherwise pull in a Docker engine.
    apt-get install -y -q --no-install-recommends "${missing[@]}"
    # On a machine run by systemd the package starts a system-wide broker (all interfaces, port 5672); ours replaces it.
    if [[ " ${missing[*]} " == *" rabbitmq-server "* ]] && [ -d /run/systemd/system ]; then
        systemctl disable --now rabbitmq-server
    fi
}

install_azurite() {
    local stamp="$azurite_home/.lock.sha256" want
    want=$(sha256sum "$azurite_pin/package-lock.json" | cut -d' ' -f1)
    if [ -x "$azurite_bin" ] && [ "$(cat "$stamp" 2>/dev/null || true)" = "$want" ]; then
        log "azurite present ($azurite_home)"
        return
    fi
    log "npm ci azurite into $azurite_home"
    mkdir -p "$azurite_home"
    cp "$azurite_pin/package.json" "$azurite_pin/package-lock.json" "$azurite_home/"
    # Azurite's only install script (protobufjs) checks versions and builds nothing, so scripts are skipped.
    (cd "$azurite_home" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    [ -x "$azurite_bin" ] || fail "npm ci finished but $azurite_bin is missing"
    printf '%s\n' "$want" >"$stamp"
}

cmd_install() {
    require_root install
    install_apt
    install_azurite
    log "install done"
}

start_rabbitmq() {
    local pid dir launcher waited
    already_up rabbitmq "$rabbit_pidfile" beam.smp "$amqp_port" rabbit_answers && return
    command -v rabbitmq-server >/dev/null || fail "rabbitmq-server missing: run infra/servers.sh install"

    dir=$(rabbit_state_dir)
    rabbit_env "$dir"
    mkdir -p "$dir/etc/conf.d" "$dir/mnesia" "$dir/log"
    cp "$repo/infra/rabbitmq/rabbitmq.conf" "$repo/infra/rabbitmq/enabled_plugins" "$dir/etc/"
    : >"$dir/etc/rabbitmq-env.conf"
    rm -f "$RABBITMQ_PID_FILE"
    chown -R rabbitmq:rabbitmq "$dir"

    # epmd outlives the broker; stop kills it only if this start is what brought it up.
    if port_listening 4369; then rm -f "$epmd_marker"; else : >"$epmd_marker"; fi

    # Debian's wrapper re-runs the server as user rabbitmq; setsid keeps it out of the caller's process group.
    setsid rabbitmq-server >"$dir/log/console.log" 2>&1 </dev/null &
    launcher=$!
    log "rabbitmq starting (state in $dir)"

    waited=0
    until [ -s "$RABBITMQ_PID_FILE" ]; do
        if ! pid_alive "$launcher" || [ "$waited" -ge "$start_timeout" ]; then
            rabbit_log_tail "$dir"
            fail "rabbitmq did not start (no pid file after ${waited}s)"
        fi
        sleep 1
        waited=$((waited + 1))
    done
    if ! timeout "$start_timeout" rabbitmqctl -q wait --timeout "$start_timeout" "$RABBITMQ_PID_FILE" >/dev/null ||
        ! timeout "$start_timeout" rabbitmqctl -q await_startup --timeout "$start_timeout" >/dev/null; then
        rabbit_log_tail "$dir"
        fail "rabbitmq did not become ready within ${start_timeout}s"
    fi
    pid=$(pid_from "$RABBITMQ_PID_FILE" beam.smp)
    [ -n "$pid" ] || fail "rabbitmq reported ready but $RABBITMQ_PID_FILE names no running broker"
    printf '%s\n' "$pid" >"$rabbit_pidfile"
    log "rabbitmq ready (pid $pid, amqp 127.0.0.1:$amqp_port, management $management_url)"
}

start_azurite() {
    local pid waited
    already_up azurite "$azurite_pidfile" node "$azurite_port" azurite_answers && return
    [ -x "$azurite_bin" ] || fail "azurite missing: run infra/servers.sh install"
    mkdir -p "$azurite_data"
    setsid "$azurite_bin" --blobHost 127.0.0.1 --blobPort "$azurite_port" --location "$azurite_data" \
        --skipApiVersionCheck --loose >"$azurite_log" 2>&1 </dev/null &
    pid=$!
    log "azurite starting (data in $azurite_data)"

    waited=0
    until azurite_answers; do
        if ! pid_alive "$pid" || [ "$waited" -ge "$start_timeout" ]; then
            printf -- '--- last lines of %s\n' "$azurite_log" >&2
            tail -n 40 "$azurite_log" >&2 || true
            pid_alive "$pid" && kill "$pid"
            fail "azurite did not answer on $azurite_url after ${waited}s"
        fi
        sleep 1
        waited=$((waited + 1))
    done
    printf '%s\n' "$pid" >"$azurite_pidfile"
    log "azurite ready (pid $pid, blob $azurite_url)"
}

cmd_start() {
    require_root start
    start_rabbitmq
    start_azurite
}

# Waits up to $2 seconds for process $1 to exit; true when it has.
wait_exit() {
    local pid=$1 i
    for ((i = 0; i < $2 * 10; i++)); do
        pid_alive "$pid" || return 0
        sleep 0.1
    done
    ! pid_alive "$pid"
}

stop_rabbitmq() {
    local pid dir
    pid=$(pid_from "$rabbit_pidfile" beam.smp)
    if ! pid_alive "$pid"; then
        rm -f "$rabbit_pidfile"
        log "rabbitmq not running (none started by this script)"
    else
        dir=$(readlink -f "$rabbit_link")
        rabbit_env "$dir"
        if ! timeout 60 rabbitmqctl -q shutdown >/dev/null 2>&1 || ! wait_exit "$pid" 10; then
            log "rabbitmqctl shutdown did not stop pid $pid; sending TERM"
            kill "$pid" 2>/dev/null || true
            wait_exit "$pid" 20 || kill -KILL "$pid" 2>/dev/null || true
        fi
        rm -f "$rabbit_pidfile"
        log "rabbitmq stopped (pid $pid)"
    fi
    if [ -f "$epmd_marker" ]; then
        # epmd refuses while Erlang nodes are registered, which keeps anyone else's node safe. The broker and the CLI
        # deregister as they exit, which can lag on a loaded machine, so it is asked for a few seconds.
        local i
        for ((i = 0; i < 20; i++)); do
            if [ "$(ERL_EPMD_ADDRESS=127.0.0.1 epmd -kill 2>&1)" = Killed ]; then
                log "epmd stopped"
                break
            fi
            sleep 0.5
        done
        [ "$i" -lt 20 ] || log "epmd left running: other Erlang nodes are registered with it"
        rm -f "$epmd_marker"
    fi
}

stop_azurite() {
    local pid
    pid=$(pid_from "$azurite_pidfile" node)
    if ! pid_alive "$pid"; then
        log "azurite not running (none started by this script)"
    else
        kill "$pid" 2>/dev/null || true
        wait_exit "$pid" 15 || kill -KILL "$pid" 2>/dev/null || true
        log "azurite stopped (pid $pid)"
    fi
    rm -f "$azurite_pidfile"
}

cmd_stop() {
    require_root stop
    stop_azurite
    stop_rabbitmq
}

cmd_status() {
    local down=0 pid owner
    pid=$(pid_from "$rabbit_pidfile" beam.smp)
    if rabbit_answers; then
        if pid_alive "$pid"; then owner="pid $pid"; else owner="not started by this script"; fi
        log "rabbitmq: running ($owner; amqp 127.0.0.1:$amqp_port, management $management_url)"
    elif pid_alive "$pid"; then
        log "rabbitmq: starting or unhealthy (pid $pid; management does not answer)"
        down=1
    else
        log "rabbitmq: stopped"
        down=1
    fi
    pid=$(pid_from "$azurite_pidfile" node)
    if azurite_answers; then
        if pid_alive "$pid"; then owner="pid $pid"; else owner="not started by this script"; fi
        log "azurite: running ($owner; blob $azurite_url)"
    else
        log "azurite: stopped"
        down=1
    fi
    return "$down"
}

case "${1:-}" in
install) cmd_install ;;
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
*)
    printf 'usage: %s install|start|stop|status\n' "$0" >&2
    exit 2
    ;;
esac
