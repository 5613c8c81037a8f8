# loadtests/Common/bench.sh: sourced by the bench scripts of the benchmarks that drive the server
# over gRPC (QueryBench, AskBench, Ingestion). `run_bench PROJECT.csproj [ARGS...]` builds src/Server and the
# benchmark (Release) into $BENCH_ARTIFACTS, starts a private PostgreSQL 15 cluster (as the
# unprivileged 'astq' user when run as root, SCRAM password logins on loopback like ./astq up) and
# Redis on free ports, runs the benchmark with ARGS, and removes both afterwards.
#
# Environment: BENCH_ARTIFACTS (build output; default /tmp/astq-<benchmark>-artifacts, kept apart
# from the repository's bin/obj), ASTQ_PG_BIN (PostgreSQL's bin directory).

run_bench() {
  local project=$1
  shift
  local root name short art pg_bin
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
  name=$(basename "$project" .csproj)
  short=${name#AstralytiQ.}
  art=${BENCH_ARTIFACTS:-/tmp/astq-${short,,}-artifacts}
  pg_bin=${ASTQ_PG_BIN:-/usr/lib/postgresql/15/bin}
  export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin

  echo "==> building (Release) into $art"
  dotnet build "$root/src/Server" -c Release --artifacts-path "$art" -v quiet -nologo >/dev/null
  dotnet build "$project" -c Release --artifacts-path "$art" -v quiet -nologo >/dev/null

  BENCH_TMP=$(mktemp -d "/tmp/astq-${short,,}.XXXXXX")
  chmod 777 "$BENCH_TMP"
  BENCH_RUN_AS=()
  if [[ $EUID -eq 0 ]]; then
    id -u astq >/dev/null 2>&1 || useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin astq
    BENCH_RUN_AS=(runuser -u astq --)
  fi
  BENCH_PG_BIN=$pg_bin
  trap _bench_cleanup EXIT
  local pg_port redis_port
  pg_port=$(_bench_free_port)
  redis_port=$(_bench_free_port)

  echo "==> PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port"
  echo bench >"$BENCH_TMP/pw" && chmod 644 "$BENCH_TMP/pw"
  (cd / && "${BENCH_RUN_AS[@]}" "$pg_bin/initdb" -D "$BENCH_TMP/pg" -U postgres --auth-local=trust --auth-host=scram-sha-256 --pwfile="$BENCH_TMP/pw" --no-sync --locale=C.UTF-8 -E UTF8 >/dev/null)
  # Password logins on loopback, as ./astq up configures them: the query logins authenticate with SCRAM.
  printf 'host all all 127.0.0.1/32 scram-sha-256\n' >"$BENCH_TMP/pg/pg_hba.conf"
  # PostgreSQL's defaults otherwise (shared_buffers 128 MB, parallel workers on).
  (cd / && "${BENCH_RUN_AS[@]}" "$pg_bin/pg_ctl" -D "$BENCH_TMP/pg" -l "$BENCH_TMP/pg.log" -w -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=''" start >/dev/null)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --pidfile "$BENCH_TMP/redis.pid" >/dev/null

  BENCH_PG="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=bench;Database=postgres" \
  BENCH_REDIS="127.0.0.1:$redis_port" \
  BENCH_SERVER_DLL="$art/bin/AstralytiQ.Server/release/AstralytiQ.Server.dll" \
  BENCH_PSQL="$pg_bin/psql" \
    dotnet "$art/bin/$name/release/$name.dll" "$@"
}

_bench_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

_bench_cleanup() {
  (cd / && "${BENCH_RUN_AS[@]}" "$BENCH_PG_BIN/pg_ctl" -D "$BENCH_TMP/pg" -m fast -w stop >/dev/null 2>&1) || true
  [[ -f $BENCH_TMP/redis.pid ]] && kill "$(cat "$BENCH_TMP/redis.pid")" 2>/dev/null || true
  rm -rf "$BENCH_TMP"
}
