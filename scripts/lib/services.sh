# shellcheck shell=bash
# PostgreSQL and Redis for the local stack, without Docker and without root.
#
# Sourced by scripts/stack (which runs with `set -euo pipefail`). Public functions:
#   services_up     <stack_dir>   use the machine's own or start embedded ones
#   services_down   <stack_dir>   stop only what services_up started
#   services_status <stack_dir>   one line per service
#
# Environment:
#   SLUICE_PG_PORT                 PostgreSQL port on 127.0.0.1 (default 5432)
#   SLUICE_REDIS_PORT              Redis port on 127.0.0.1 (default 6379)
#   SLUICE_PG_BINARIES_VERSION     io.zonky.test.postgres binaries version (default below)
#   SLUICE_REDIS_EMBEDDED_VERSION  com.github.codemonstur:embedded-redis version (default below)
#
# The functions report problems themselves and return non-zero rather than relying on
# errexit: bash ignores `set -e` inside a function called from `if` or `||`, so each
# step checks its own result.

# 17.7.0 is the newest 17.x published for both amd64 and arm64v8 (amd64 alone has 17.9.0),
# so every developer's machine runs the same PostgreSQL.
: "${SLUICE_PG_BINARIES_VERSION:=17.7.0}"
: "${SLUICE_REDIS_EMBEDDED_VERSION:=1.4.4}"

_svc_pg_port() { printf '%s' "${SLUICE_PG_PORT:-5432}"; }
_svc_redis_port() { printf '%s' "${SLUICE_REDIS_PORT:-6379}"; }
_svc_err() { printf '%s\n' "$*" >&2; }

# The stack dir is made absolute: Redis changes its working directory to --dir, and the
# "is this pid ours" check compares against absolute executable paths.
# Only services_up creates it; down and status on a missing dir have nothing to find.
_svc_stack_dir() { # <stack_dir> [create]
  [[ -n "${1:-}" ]] || { _svc_err "services: missing <stack_dir> argument"; return 1; }
  if [[ -n "${2:-}" ]]; then mkdir -p "$1" || return 1; fi
  if [[ -d "$1" ]]; then (cd "$1" && pwd -P); else printf '%s' "$1"; fi
}

# ---------------------------------------------------------------------------------------
# Probes. Everything runs in a child bash under `timeout` so that a listener that accepts
# and never answers cannot hang the stack script, and so a failed /dev/tcp redirection
# cannot trip the caller's errexit.

# shellcheck disable=SC2016 # $1 is expanded by the child bash, on purpose
_svc_tcp_open() {
  timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# pg_isready speaks the protocol, so it tells PostgreSQL from any other listener; without
# it an open port is the best evidence there is.
_svc_pg_answers() {
  if command -v pg_isready >/dev/null 2>&1; then
    # -U/-d only name what the server logs; without them it logs "role <os user> does not exist".
    pg_isready -q -h 127.0.0.1 -p "$1" -t 3 -U postgres -d postgres
  else
    _svc_tcp_open "$1"
  fi
}

# Prints the first reply line to PING (e.g. "+PONG", or "-NOAUTH ..." when a password is set).
# shellcheck disable=SC2016 # as above
_svc_redis_reply() {
  timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "PING\r\n" >&3
    IFS= read -r -t 2 line <&3 || exit 1
    printf "%s" "$line"' _ "$1" 2>/dev/null | tr -d '\r'
}

# A Redis that wants a password still is a Redis: use it, and say that it needs one.
_svc_redis_answers() {
  local reply
  reply=$(_svc_redis_reply "$1") || return 1
  [[ "$reply" == "+PONG" || "$reply" == -NOAUTH* ]]
}

# True when pid $1 is alive and runs an executable under directory $2. Checking the
# executable guards against a recorded pid that the kernel has since given to another
# process; /proc/<pid>/exe is unreadable for other users' processes, then kill -0 decides.
_svc_pid_is_ours() {
  local pid=$1 dir=$2 exe
  [[ "$pid" =~ ^[0-9]+$ ]] && _svc_pid_alive "$pid" || return 1
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 0
  [[ "$exe" == "$dir"/* ]]
}

# A killed daemon stays a zombie until init reaps it, and kill -0 still succeeds on a
# zombie: the state letter in /proc/<pid>/stat (after the last ") ") tells.
_svc_is_zombie() {
  local stat
  # read, not $(<file): bash 5.2 exits under errexit when $(<file) cannot open the file,
  # even inside `|| return`.
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  [[ "${stat##*) }" == Z* ]]
}

_svc_pid_alive() { kill -0 "$1" 2>/dev/null && ! _svc_is_zombie "$1"; }

_svc_pid_gone() { ! _svc_pid_alive "$1"; }
_svc_not_zombie() { ! _svc_is_zombie "$1"; }

_svc_wait() { # <seconds> <command...>: poll every 0.2 s
  local tries=$(($1 * 5))
  shift
  while ((tries-- > 0)); do
    "$@" && return 0
    sleep 0.2
  done
  return 1
}

# ---------------------------------------------------------------------------------------
# Fetching binaries from Maven Central through the user's own mvn and ~/.m2 (cached there,
# so the second stack dir on a machine costs no download).

# Maps `uname -m` to the two projects' names: "<zonky arch> <embedded-redis arch>".
_svc_arch() {
  case "$(uname -m)" in
    x86_64 | amd64) printf 'amd64 amd64' ;;
    aarch64 | arm64) printf 'arm64v8 arm64' ;;
    *) _svc_err "services: no embedded PostgreSQL/Redis binaries for $(uname -m)"; return 1 ;;
  esac
}

# mvn runs inside <outdir> so that no project pom.xml around the caller's working directory
# takes part: dependency:copy needs none.
_svc_fetch() { # <groupId:artifactId:version> <outdir>
  local artifact=$1 out=$2
  command -v mvn >/dev/null 2>&1 || { _svc_err "services: mvn not found on PATH (Debian: apt-get install maven)"; return 1; }
  mkdir -p "$out" || return 1
  if ! (cd "$out" && mvn -q -B dependency:copy -Dartifact="$artifact" \
    -DoutputDirectory="$out" >"$out/mvn.log" 2>&1); then
    _svc_err "services: could not fetch $artifact with mvn (full output in $out/mvn.log):"
    # Maven 3.8 prints colour codes even with -B; strip them.
    grep -m 1 -E 'Failed to execute|Could not|ERROR' "$out/mvn.log" | sed 's/\x1b\[[0-9;]*m//g' | cut -c1-300 >&2
    return 1
  fi
}

_svc_jar_list() {
  if command -v unzip >/dev/null 2>&1; then unzip -Z1 "$1"; else jar tf "$1"; fi
}

# Writes one entry of a jar to stdout: `unzip -p` streams it; the JDK's jar can only
# extract to the working directory, so it goes through a scratch directory.
_svc_jar_cat() { # <jar> <entry>
  if command -v unzip >/dev/null 2>&1; then
    unzip -p "$1" "$2"
  else
    local tmp rc=0
    tmp=$(mktemp -d) || return 1
    (cd "$tmp" && jar xf "$1" "$2" && cat "$2") || rc=$?
    rm -rf "$tmp"
    return "$rc"
  fi
}

_svc_need_extract_tools() {
  command -v unzip >/dev/null 2>&1 || command -v jar >/dev/null 2>&1 ||
    { _svc_err "services: need unzip or a JDK's jar to unpack binaries (Debian: apt-get install unzip)"; return 1; }
}

# ---------------------------------------------------------------------------------------
# PostgreSQL, under <stack_dir>/postgres: pg-<version>/ (binaries), data/, run/ (unix
# socket), postgres.log, port. The data dir's postmaster.pid is the record of what runs.

_svc_pg_bin() { printf '%s/pg-%s/bin' "$1" "$SLUICE_PG_BINARIES_VERSION"; }

# Prints the postmaster pid when the PostgreSQL of this stack dir runs.
_svc_pg_ours() {
  local dir=$1 pid
  [[ -r "$dir/data/postmaster.pid" ]] || return 1
  pid=$(head -n 1 "$dir/data/postmaster.pid")
  _svc_pid_is_ours "$pid" "$dir" && printf '%s' "$pid"
}

# The jar holds one .txz; tar needs the xz program for it.
_svc_pg_install() {
  local dir=$1 arch jar entry dist
  dist=$(dirname "$(_svc_pg_bin "$dir")")
  [[ -x "$dist/bin/pg_ctl" ]] && return 0
  command -v xz >/dev/null 2>&1 || { _svc_err "services: xz not found; needed to unpack PostgreSQL (Debian: apt-get install xz-utils)"; return 1; }
  _svc_need_extract_tools || return 1
  arch=$(_svc_arch) || return 1
  jar="$dir/download/embedded-postgres-binaries-linux-${arch%% *}-$SLUICE_PG_BINARIES_VERSION.jar"
  _svc_fetch "io.zonky.test.postgres:embedded-postgres-binaries-linux-${arch%% *}:$SLUICE_PG_BINARIES_VERSION" "$dir/download" || return 1
  # No `grep -m 1`: under pipefail an early exit could fail the listing with SIGPIPE.
  entry=$(_svc_jar_list "$jar" | grep '\.txz$') || { _svc_err "services: no .txz inside $jar"; return 1; }
  entry=${entry%%$'\n'*}
  # Unpack beside the final place and rename, so an interrupted unpack is never taken as done.
  rm -rf "$dist.partial" && mkdir -p "$dist.partial" || return 1
  _svc_jar_cat "$jar" "$entry" | tar -xJf - -C "$dist.partial" || { _svc_err "services: could not unpack $entry"; return 1; }
  mv "$dist.partial" "$dist" && rm -f "$jar"
}

# trust auth on loopback only is what a local stack wants; the C locale is always
# present, whatever LANG says, and the encoding is still UTF8.
_svc_pg_init() {
  local dir=$1 major=${SLUICE_PG_BINARIES_VERSION%%.*} have
  if [[ -f "$dir/data/PG_VERSION" ]]; then
    have=$(cat "$dir/data/PG_VERSION")
    [[ "$have" == "$major" ]] && return 0
    _svc_err "services: $dir/data was made by PostgreSQL $have, binaries are $major; remove it or set SLUICE_PG_BINARIES_VERSION to a $have.x"
    return 1
  fi
  rm -rf "$dir/data" || return 1
  "$(_svc_pg_bin "$dir")/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
    { _svc_err "services: initdb failed; see $dir/initdb.log"; tail -n 10 "$dir/initdb.log" >&2; return 1; }
}

# Unix socket paths are limited to 107 bytes; a deep stack dir would fail at start time
# with a message buried in the log, so it is checked here.
_svc_pg_start() {
  local dir=$1 port=$2 sock="$1/run"
  if ((${#sock} + 18 > 107)); then
    _svc_err "services: $sock is too long for a unix socket path; use a shorter stack dir"
    return 1
  fi
  mkdir -p "$sock" || return 1
  printf '%s\n' "$port" >"$dir/port"
  # A postmaster killed moments ago can still be an unreaped zombie, which PostgreSQL's
  # own lock-file check takes for a running server: give init time to reap it.
  local old
  old=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null) || true
  if [[ "$old" =~ ^[0-9]+$ ]]; then _svc_wait 10 _svc_not_zombie "$old" || true; fi
  if ! "$(_svc_pg_bin "$dir")/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k '$sock'" start >/dev/null; then
    _svc_err "services: PostgreSQL did not start; last lines of $dir/postgres.log:"
    tail -n 15 "$dir/postgres.log" >&2
    return 1
  fi
  _svc_wait 30 _svc_pg_answers "$port" || { _svc_err "services: PostgreSQL started but does not answer on 127.0.0.1:$port"; return 1; }
}

_svc_pg_root_hint() {
  cat >&2 <<EOF
postgres: nothing answers on 127.0.0.1:$1, and embedded PostgreSQL cannot run as root (initdb refuses).
  Either install and start the machine's own (Debian):
    apt-get update && apt-get install -y postgresql && service postgresql start
  (it listens on 127.0.0.1:5432; leave SLUICE_PG_PORT unset or set it to 5432),
  or set SLUICE_PG_PORT to the port of a PostgreSQL already running on 127.0.0.1,
  or run the stack as a non-root user, which starts an embedded one.
EOF
}

_svc_pg_up() {
  local dir=$1/postgres port pid
  port=$(_svc_pg_port)
  if pid=$(_svc_pg_ours "$dir"); then
    echo "postgres: already running on 127.0.0.1:$(cat "$dir/port" 2>/dev/null) (started by the stack, pid $pid)"
    return 0
  fi
  if _svc_pg_answers "$port"; then
    echo "postgres: using the PostgreSQL already answering on 127.0.0.1:$port (not started by the stack)"
    return 0
  fi
  if _svc_tcp_open "$port"; then
    _svc_err "postgres: 127.0.0.1:$port is open but does not accept PostgreSQL connections (another program, or a PostgreSQL still starting); set SLUICE_PG_PORT to a free port"
    return 1
  fi
  if ((EUID == 0)); then _svc_pg_root_hint "$port"; return 1; fi
  mkdir -p "$dir" && _svc_pg_install "$dir" && _svc_pg_init "$dir" && _svc_pg_start "$dir" "$port" || return 1
  echo "postgres: started PostgreSQL $SLUICE_PG_BINARIES_VERSION on 127.0.0.1:$port (user postgres, no password; pid $(_svc_pg_ours "$dir"), log $dir/postgres.log)"
}

# pg_ctl refuses to run as root, so root (cleaning up a user's stack) sends the signal that
# is the postmaster's own shutdown mode: SIGINT "fast", SIGQUIT "immediate".
_svc_pg_down() { # <stack_dir> [fast|immediate]
  local dir=$1/postgres mode=${2:-fast} pid signal
  pid=$(_svc_pg_ours "$dir") || return 0
  signal=$([[ $mode == immediate ]] && echo QUIT || echo INT)
  if ((EUID == 0)); then
    kill "-$signal" "$pid" 2>/dev/null || true
  else
    "$(_svc_pg_bin "$dir")/pg_ctl" -D "$dir/data" -m "$mode" -w -t 60 stop >/dev/null 2>&1 ||
      kill "-$signal" "$pid" 2>/dev/null || true
  fi
  if ! _svc_wait 60 _svc_pid_gone "$pid"; then
    _svc_err "postgres: pid $pid did not stop; see $dir/postgres.log"
    return 1
  fi
  echo "postgres: stopped (pid $pid)"
}

_svc_pg_status() {
  local dir=$1/postgres port pid
  port=$(_svc_pg_port)
  if pid=$(_svc_pg_ours "$dir"); then
    port=$(cat "$dir/port" 2>/dev/null || echo "$port")
    if _svc_pg_answers "$port"; then
      echo "postgres: answering on 127.0.0.1:$port (started by the stack, pid $pid)"
    else
      echo "postgres: NOT answering on 127.0.0.1:$port (started by the stack, pid $pid; see $dir/postgres.log)"
      return 1
    fi
  elif _svc_pg_answers "$port"; then
    echo "postgres: answering on 127.0.0.1:$port (the machine's own, not started by the stack)"
  else
    echo "postgres: NOT answering on 127.0.0.1:$port"
    return 1
  fi
}

# ---------------------------------------------------------------------------------------
# Redis, under <stack_dir>/redis: redis-<version>/redis-server, data/, redis.log,
# redis.pid, port. The pid file is the record of what runs.

_svc_redis_bin() { printf '%s/redis-%s/redis-server' "$1" "$SLUICE_REDIS_EMBEDDED_VERSION"; }

_svc_redis_ours() {
  local dir=$1 pid
  [[ -r "$dir/redis.pid" ]] || return 1
  pid=$(head -n 1 "$dir/redis.pid")
  _svc_pid_is_ours "$pid" "$dir" && printf '%s' "$pid"
}

# The jar carries redis-server builds for several systems, named
# redis-server-<redis version>-linux-<arch>; the Redis version differs per arch.
_svc_redis_install() {
  local dir=$1 arch jar entry bin
  bin=$(_svc_redis_bin "$dir")
  [[ -x "$bin" ]] && return 0
  _svc_need_extract_tools || return 1
  arch=$(_svc_arch) || return 1
  jar="$dir/download/embedded-redis-$SLUICE_REDIS_EMBEDDED_VERSION.jar"
  _svc_fetch "com.github.codemonstur:embedded-redis:$SLUICE_REDIS_EMBEDDED_VERSION" "$dir/download" || return 1
  entry=$(_svc_jar_list "$jar" | grep -E "^redis-server-.*-linux-${arch##* }\$") ||
    { _svc_err "services: no linux-${arch##* } redis-server inside $jar"; return 1; }
  entry=${entry%%$'\n'*}
  mkdir -p "$(dirname "$bin")" || return 1
  _svc_jar_cat "$jar" "$entry" >"$bin.partial" && chmod 755 "$bin.partial" && mv "$bin.partial" "$bin" && rm -f "$jar"
}

# Persistence off: the stack's Redis holds only dedup keys that the database can rebuild.
# stderr goes to the log too, so a loader error (the amd64 build needs OpenSSL 3) shows up.
_svc_redis_start() {
  local dir=$1 port=$2
  mkdir -p "$dir/data" && printf '%s\n' "$port" >"$dir/port" || return 1
  rm -f "$dir/redis.pid"
  # shellcheck disable=SC2094 # redis-server only gets the log's name; it opens it once daemonized
  if ! "$(_svc_redis_bin "$dir")" --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir/data" \
    >>"$dir/redis.log" 2>&1; then
    _svc_err "services: redis-server failed to start; last lines of $dir/redis.log:"
    tail -n 15 "$dir/redis.log" >&2
    return 1
  fi
  if ! _svc_wait 30 _svc_redis_answers "$port" || ! _svc_wait 5 _svc_redis_ours "$dir" >/dev/null; then
    _svc_err "services: Redis does not answer on 127.0.0.1:$port; see $dir/redis.log"
    return 1
  fi
}

_svc_redis_root_hint() {
  cat >&2 <<EOF
redis: nothing answers on 127.0.0.1:$1, and the stack starts embedded services only for non-root users.
  Either install and start the machine's own (Debian):
    apt-get update && apt-get install -y redis-server && service redis-server start
  (it listens on 127.0.0.1:6379; leave SLUICE_REDIS_PORT unset or set it to 6379),
  or set SLUICE_REDIS_PORT to the port of a Redis already running on 127.0.0.1,
  or run the stack as a non-root user, which starts an embedded one.
EOF
}

_svc_redis_up() {
  local dir=$1/redis port pid reply
  port=$(_svc_redis_port)
  if pid=$(_svc_redis_ours "$dir"); then
    echo "redis: already running on 127.0.0.1:$(cat "$dir/port" 2>/dev/null) (started by the stack, pid $pid)"
    return 0
  fi
  if reply=$(_svc_redis_reply "$port") && [[ "$reply" == "+PONG" || "$reply" == -NOAUTH* ]]; then
    echo "redis: using the Redis already answering on 127.0.0.1:$port (not started by the stack)"
    [[ "$reply" == "+PONG" ]] || echo "redis: note: it wants a password (PING said: $reply)"
    return 0
  fi
  if _svc_tcp_open "$port"; then
    _svc_err "redis: something that is not Redis listens on 127.0.0.1:$port; set SLUICE_REDIS_PORT to a free port"
    return 1
  fi
  if ((EUID == 0)); then _svc_redis_root_hint "$port"; return 1; fi
  mkdir -p "$dir" && _svc_redis_install "$dir" && _svc_redis_start "$dir" "$port" || return 1
  echo "redis: started $(_svc_redis_version "$dir") on 127.0.0.1:$port (pid $(_svc_redis_ours "$dir"), log $dir/redis.log)"
}

_svc_redis_version() {
  local v
  v=$("$(_svc_redis_bin "$1")" --version 2>/dev/null | grep -o 'v=[0-9.]*') || true
  printf 'Redis %s' "${v#v=}"
}

_svc_redis_down() {
  local dir=$1/redis pid
  pid=$(_svc_redis_ours "$dir") || return 0
  kill -TERM "$pid" 2>/dev/null || true
  if ! _svc_wait 30 _svc_pid_gone "$pid"; then
    _svc_err "redis: pid $pid did not stop; see $dir/redis.log"
    return 1
  fi
  rm -f "$dir/redis.pid"
  echo "redis: stopped (pid $pid)"
}

_svc_redis_status() {
  local dir=$1/redis port pid
  port=$(_svc_redis_port)
  if pid=$(_svc_redis_ours "$dir"); then
    port=$(cat "$dir/port" 2>/dev/null || echo "$port")
    if _svc_redis_answers "$port"; then
      echo "redis: answering on 127.0.0.1:$port (started by the stack, pid $pid)"
    else
      echo "redis: NOT answering on 127.0.0.1:$port (started by the stack, pid $pid; see $dir/redis.log)"
      return 1
    fi
  elif _svc_redis_answers "$port"; then
    echo "redis: answering on 127.0.0.1:$port (the machine's own, not started by the stack)"
  else
    echo "redis: NOT answering on 127.0.0.1:$port"
    return 1
  fi
}

# ---------------------------------------------------------------------------------------
# Stopping and starting PostgreSQL under running clients, for failure tests: the stack's own
# with pg_ctl, the machine's own (Debian) with pg_ctlcluster, found by its port. Anything
# else is not the stack's to stop, and saying so beats a test that silently tests nothing.

# Prints "<version> <name>" of the Debian cluster configured for port $1.
_svc_pg_cluster() {
  command -v pg_lsclusters >/dev/null 2>&1 || return 1
  local found
  found=$(pg_lsclusters -h 2>/dev/null | awk -v port="$1" '$3 == port { print $1, $2; exit }')
  [[ -n "$found" ]] && printf '%s' "$found"
}

_svc_pg_unmanaged() {
  _svc_err "postgres: the PostgreSQL on 127.0.0.1:$1 was neither started by the stack nor is a Debian cluster (pg_lsclusters) this user can control"
  return 1
}

# Mode "fast" disconnects clients and checkpoints; "immediate" is a crash as far as the data
# is concerned: no checkpoint, the next start recovers from the write-ahead log.
services_pg_stop() { # <stack_dir> [fast|immediate]
  local dir cluster port mode=${2:-fast}
  dir=$(_svc_stack_dir "${1:-}") || return 1
  port=$(_svc_pg_port)
  if _svc_pg_ours "$dir/postgres" >/dev/null; then
    _svc_pg_down "$dir" "$mode"
  elif cluster=$(_svc_pg_cluster "$port"); then
    # shellcheck disable=SC2086 # "<version> <name>" are two arguments
    pg_ctlcluster --skip-systemctl-redirect $cluster stop -m "$mode" || return 1
    echo "postgres: stopped cluster $cluster (port $port, $mode)"
  else
    _svc_pg_unmanaged "$port"
  fi
}

services_pg_start() {
  local dir cluster port
  dir=$(_svc_stack_dir "${1:-}") || return 1
  port=$(_svc_pg_port)
  if [[ -f "$dir/postgres/data/PG_VERSION" ]] && ! _svc_pg_answers "$port"; then
    _svc_pg_start "$dir/postgres" "$(cat "$dir/postgres/port" 2>/dev/null || echo "$port")"
  elif cluster=$(_svc_pg_cluster "$port"); then
    # shellcheck disable=SC2086 # as above
    pg_ctlcluster --skip-systemctl-redirect $cluster start 2>/dev/null || _svc_pg_answers "$port" || return 1
    _svc_wait 30 _svc_pg_answers "$port" || { _svc_err "postgres: cluster $cluster started but does not answer on 127.0.0.1:$port"; return 1; }
    echo "postgres: started cluster $cluster (port $port)"
  else
    _svc_pg_unmanaged "$port"
  fi
}

# ---------------------------------------------------------------------------------------
# Public functions. Each handles both services even when the first fails, so one call
# reports everything that is wrong; the return code is 1 when either failed.

services_up() {
  local dir rc=0
  dir=$(_svc_stack_dir "${1:-}" create) || return 1
  _svc_pg_up "$dir" || rc=1
  _svc_redis_up "$dir" || rc=1
  return "$rc"
}

services_down() {
  local dir rc=0
  dir=$(_svc_stack_dir "${1:-}") || return 1
  _svc_redis_down "$dir" || rc=1
  _svc_pg_down "$dir" || rc=1
  return "$rc"
}

services_status() {
  local dir rc=0
  dir=$(_svc_stack_dir "${1:-}") || return 1
  _svc_pg_status "$dir" || rc=1
  _svc_redis_status "$dir" || rc=1
  return "$rc"
}
