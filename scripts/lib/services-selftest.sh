#!/usr/bin/env bash
# Exercises scripts/lib/services.sh on the embedded path: up (starts both), up again
# (starts nothing), status, down (both gone), down again (nothing to do).
#
#   scripts/lib/services-selftest.sh [--as USER] [PG_PORT [REDIS_PORT]]
#
# Must run as a non-root user (embedded PostgreSQL refuses root); as root, `--as USER`
# re-runs it as USER, who needs mvn on PATH and a home for ~/.m2. The ports must be free:
# default 25432 and 26379, away from a machine's own 5432/6379.
# SELFTEST_STACK_DIR keeps the stack dir (and the unpacked binaries) across runs;
# by default a temporary one is made and removed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [[ "${1:-}" == "--as" ]]; then
  user=${2:?--as needs a user name}
  shift 2
  exec runuser -u "$user" -- env ${SELFTEST_STACK_DIR:+SELFTEST_STACK_DIR="$SELFTEST_STACK_DIR"} \
    bash "$here/services-selftest.sh" "$@"
fi
if ((EUID == 0)); then
  echo "selftest: run as a non-root user, or as root with --as USER" >&2
  exit 2
fi

export SLUICE_PG_PORT=${1:-25432} SLUICE_REDIS_PORT=${2:-26379}
# shellcheck source=services.sh
source "$here/services.sh"

failures=0
check() { # <description> <command...>
  if "${@:2}"; then echo "  ok   $1"; else echo "  FAIL $1"; failures=$((failures + 1)); fi
}
pg_gone() { ! _svc_pg_answers "$SLUICE_PG_PORT"; }
redis_gone() { ! _svc_redis_answers "$SLUICE_REDIS_PORT"; }
pg_select_1() {
  if command -v psql >/dev/null 2>&1; then
    [[ "$(psql -h 127.0.0.1 -p "$SLUICE_PG_PORT" -U postgres -d postgres -Atc 'select 1')" == 1 ]]
  else
    _svc_pg_answers "$SLUICE_PG_PORT"
  fi
}
redis_pong() { [[ "$(_svc_redis_reply "$SLUICE_REDIS_PORT")" == "+PONG" ]]; }
now_ms() { local us=${EPOCHREALTIME//[^0-9]/}; echo $((us / 1000)); }
secs_since() { local ms=$(($(now_ms) - $1)); printf '%d.%02d' $((ms / 1000)) $((ms % 1000 / 10)); }

if ! pg_gone || ! redis_gone; then
  echo "selftest: 127.0.0.1:$SLUICE_PG_PORT or :$SLUICE_REDIS_PORT already answers; pick free ports" >&2
  exit 2
fi

stack=${SELFTEST_STACK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/sluice-services.XXXXXX")}
cleanup() {
  services_down "$stack" >/dev/null 2>&1 || true
  [[ -n "${SELFTEST_STACK_DIR:-}" ]] || rm -rf "$stack"
}
trap cleanup EXIT
echo "selftest: user $(id -un), ports $SLUICE_PG_PORT/$SLUICE_REDIS_PORT, stack dir $stack"

echo "== services_up (first)"
t0=$(now_ms); rc=0
services_up "$stack" || rc=$?
t_up1=$(secs_since "$t0")
check "first up returns 0" test "$rc" -eq 0
check "PostgreSQL answers select 1" pg_select_1
check "Redis answers PONG" redis_pong
pg_pid=$(_svc_pg_ours "$stack/postgres" || true)
redis_pid=$(_svc_redis_ours "$stack/redis" || true)
check "both pids recorded ($pg_pid, $redis_pid)" test -n "$pg_pid" -a -n "$redis_pid"

echo "== services_up (second)"
t0=$(now_ms); rc=0
out=$(services_up "$stack") || rc=$?
t_up2=$(secs_since "$t0")
printf '%s\n' "$out"
check "second up returns 0" test "$rc" -eq 0
check "second up starts nothing" test "$(grep -c 'already running' <<<"$out")" -eq 2
check "same pids" test "$(_svc_pg_ours "$stack/postgres")/$(_svc_redis_ours "$stack/redis")" = "$pg_pid/$redis_pid"

echo "== services_status"
rc=0; out=$(services_status "$stack") || rc=$?
printf '%s\n' "$out"
check "status returns 0" test "$rc" -eq 0
check "status names both as started by the stack" test "$(grep -c 'started by the stack' <<<"$out")" -eq 2

echo "== services_down"
rc=0; services_down "$stack" || rc=$?
check "down returns 0" test "$rc" -eq 0
check "PostgreSQL gone" pg_gone
check "Redis gone" redis_gone
check "postmaster pid $pg_pid gone" _svc_pid_gone "$pg_pid"
check "redis pid $redis_pid gone" _svc_pid_gone "$redis_pid"

echo "== services_down (again) and status"
rc=0; out=$(services_down "$stack") || rc=$?
check "second down returns 0 and prints nothing" test "$rc" -eq 0 -a -z "$out"
rc=0; services_status "$stack" || rc=$?
check "status after down returns 1" test "$rc" -eq 1

echo "selftest: first up ${t_up1}s, second up ${t_up2}s"
if ((failures)); then echo "selftest: $failures FAILED"; exit 1; fi
echo "selftest: PASS"
