# Starting a packaged Sluice on free loopback ports, timing it to "ready" and stopping it by
# its pid (sourced by scripts/build-aot and scripts/bench-startup). The caller sets
# SLUICE_SECURITY_BOOTSTRAP_ADMIN_KEY (scripts/lib/bench-credentials.sh does).

# port_open PORT: whether something listens on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A pipe nobody writes to: `read -t` on it waits without starting a process, so polling for
# readiness takes next to nothing from the start-up it measures.
exec {_sluice_idle_fd}<> <(:)
pause() { read -rt "$1" -u "$_sluice_idle_fd" || true; }

# ready_status PORT: the HTTP status of /q/health/ready on the management PORT, or nothing.
# A subshell (a fork, no new program): its redirections end with it.
ready_status() (
    local line
    exec 2>/dev/null # a refused connection is an answer here, not an error
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 0
    printf 'GET /q/health/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    read -rt 2 -u 3 line || true
    line=${line#* }
    printf '%s' "${line%% *}"
)

# start_sluice LOG COMMAND...: runs COMMAND (java and its arguments, or the native executable)
# on two free ports, given as system properties right after the command's first word; sets
# sluice_pid, sluice_url, sluice_management_port and sluice_started_ns (launch, nanoseconds).
start_sluice() {
    local log=$1 candidate
    shift
    sluice_port=""
    sluice_management_port=""
    for _ in $(seq 100); do
        candidate=$((20000 + RANDOM % 20000))
        if port_open "$candidate"; then continue; fi
        if [[ -z $sluice_port ]]; then sluice_port=$candidate; else sluice_management_port=$candidate; break; fi
    done
    [[ -n $sluice_management_port ]] || { echo "no free port found" >&2; return 1; }
    sluice_url=http://127.0.0.1:$sluice_port
    local program=$1
    shift
    sluice_started_ns=$(date +%s%N)
    # $! is the process itself (no wrapping shell): the pid that memory figures and the stop use.
    "$program" -Dquarkus.http.port="$sluice_port" -Dquarkus.http.host=127.0.0.1 \
        -Dquarkus.management.port="$sluice_management_port" -Dquarkus.management.host=127.0.0.1 \
        -Dquarkus.log.console.json.enabled=false "$@" >"$log" 2>&1 </dev/null &
    sluice_pid=$!
}

# wait_ready LOG [SECONDS]: polls readiness every 10 ms; sets ready_ms (from launch).
wait_ready() {
    local log=$1 deadline=$((SECONDS + ${2:-120}))
    until [[ $(ready_status "$sluice_management_port") == 200 ]]; do
        if ! kill -0 "$sluice_pid" 2>/dev/null || ((SECONDS > deadline)); then
            echo "Sluice did not become ready; last lines of its log ($log):" >&2
            tail -n 20 "$log" >&2
            return 1
        fi
        pause 0.01
    done
    ready_ms=$((($(date +%s%N) - sluice_started_ns) / 1000000))
}

# rss_mb [FIELD]: the process's VmRSS (or VmHWM, its peak) in MB.
rss_mb() { awk -v field="${1:-VmRSS}:" '$1 == field { printf "%d", $2 / 1024 }' "/proc/$sluice_pid/status"; }

# stop_sluice: SIGTERM, then waits for the process (a training run writes its cache on exit).
stop_sluice() {
    [[ -n ${sluice_pid:-} ]] || return 0
    kill "$sluice_pid" 2>/dev/null || true
    wait "$sluice_pid" 2>/dev/null || true
    sluice_pid=""
}

# drive_load URL TOKEN SINGLES BATCHES: SINGLES single events, then BATCHES batches of 100, one
# request after the other; every answer must be 202. Ids are new on every call.
drive_load() {
    local url=$1 token=$2 singles=$3 batches=$4 run status i k batch
    run=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
    for ((i = 0; i < singles; i++)); do
        status=$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/events" -H "Authorization: Bearer $token" \
            -H 'Content-Type: application/cloudevents+json' \
            -d "{\"specversion\":\"1.0\",\"id\":\"$run-s$i\",\"source\":\"/load\",\"type\":\"load.event\",\"subject\":\"device-$((i % 50))\",\"time\":\"2026-01-01T00:00:00Z\",\"data\":{\"n\":$i,\"temperature\":21.5}}")
        [[ $status == 202 ]] || { echo "a single event was answered $status" >&2; return 1; }
    done
    for ((i = 0; i < batches; i++)); do
        batch="["
        for ((k = 0; k < 100; k++)); do
            ((k == 0)) || batch+=","
            batch+="{\"specversion\":\"1.0\",\"id\":\"$run-b$i-$k\",\"source\":\"/load\",\"type\":\"load.event\",\"subject\":\"device-$((k % 50))\",\"data\":{\"n\":$k,\"temperature\":21.5}}"
        done
        status=$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/events" -H "Authorization: Bearer $token" \
            -H 'Content-Type: application/cloudevents-batch+json' -d "$batch]")
        [[ $status == 202 ]] || { echo "a batch was answered $status" >&2; return 1; }
    done
}
