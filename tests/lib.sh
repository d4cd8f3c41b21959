# Shared helpers for the integration tests: start levelnsd on a free
# loopback port, wait for its readiness line, query it, stop it cleanly.
# Tests run from the build directory; top_srcdir points at the sources.

set -u
top_srcdir=$(cd "${top_srcdir:-$(dirname "$0")/..}" && pwd)
top_builddir=$(pwd)
LEVELNSD_BIN="$top_builddir/levelnsd"
LEVELNSD=$LEVELNSD_BIN
RAWQ="$top_builddir/tests/rawq"
T=$(mktemp -d "${TMPDIR:-/tmp}/levelns-test.XXXXXX")
# Started as root, levelnsd runs as server.user unless told to stay root;
# the tests' files are in a private directory, so as root they run it
# through a wrapper that adds --allow-root (same PID: it execs).
# t_privs.sh tests the drop with LEVELNSD_BIN, the binary itself.
# With LNS_VALGRIND=1 (make check-valgrind) the wrapper runs it under
# valgrind memcheck: any error or leak makes its exit status 99, which
# stop_ns reports with valgrind's log.
wrap_root=
[ "$(id -u)" -eq 0 ] && wrap_root=--allow-root
wrap_tool=
[ "${LNS_VALGRIND:-0}" = 1 ] && wrap_tool="valgrind --quiet --error-exitcode=99 --leak-check=full \
--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --log-file=$T/valgrind.%p.log"
if [ -n "$wrap_root$wrap_tool" ]; then
	LEVELNSD="$T/levelnsd"
	printf '#!/bin/sh\nexec %s "%s" %s "$@"\n' "$wrap_tool" "$LEVELNSD_BIN" "$wrap_root" >"$LEVELNSD"
	chmod +x "$LEVELNSD"
fi
NS_PID=
FAILS=0
PASSES=0

cleanup() {
	[ -n "$NS_PID" ] && kill -9 "$NS_PID" 2>/dev/null
	for pid in ${BACKENDS:-}; do kill -9 "$pid" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

need() {
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
	done
}

# start_ns CONFIG [ADDR] [extra args]: starts levelnsd on ADDR (default
# 127.0.0.1) and a random free port, with the admin API on the next port;
# sets PORT, HTTP_PORT and NS_PID, waits for ready.
start_ns() {
	conf=$1
	addr=${2:-127.0.0.1}
	[ $# -ge 2 ] && shift 2 || shift 1
	start_ns_args "$conf" -a "$addr@PORT" --http "127.0.0.1@HTTPPORT" "$@"
}

# start_ns_args CONFIG ARG...: like start_ns, but the caller gives every
# listening option; an ARG "PORT" or ending in "@PORT" gets the random port,
# one ending in "@HTTPPORT" the next one. The admin API is off unless asked.
start_ns_args() {
	for attempt in 1 2 3 4 5 6 7 8; do
		PORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
		HTTP_PORT=$((PORT + 1))
		: >"$T/ns.log"
		launch_ns "$@"
		for i in $(seq 1 300); do
			grep -q "ready:" "$T/ns.log" && return 0
			kill -0 "$NS_PID" 2>/dev/null || break
			sleep 0.1
		done
		wait "$NS_PID" 2>/dev/null
		NS_PID=
		grep -q "in use" "$T/ns.log" || { cat "$T/ns.log"; echo "FAIL: levelnsd did not start"; exit 1; }
	done
	echo "FAIL: no free port found"
	exit 1
}

# launch_ns CONFIG ARG...: starts levelnsd in the background, ports put into ARGs.
launch_ns() {
	conf=$1
	shift
	for arg in "$@"; do
		case "$arg" in
		PORT) arg=$PORT ;;
		*@PORT) arg="${arg%@PORT}@$PORT" ;;
		*@HTTPPORT) arg="${arg%@HTTPPORT}@$HTTP_PORT" ;;
		esac
		set -- "$@" "$arg"
		shift
	done
	"$LEVELNSD" -c "$conf" -f --http none "$@" 2>"$T/ns.log" &
	NS_PID=$!
}

# stop_ns: SIGTERM, and the exit status must be 0 (sanitizers report leaks as failures).
stop_ns() {
	kill -TERM "$NS_PID"
	wait "$NS_PID"
	rc=$?
	NS_PID=
	check "levelnsd exits 0 on SIGTERM" [ "$rc" -eq 0 ]
	[ "$rc" -eq 0 ] || cat "$T/ns.log" "$T"/valgrind.*.log 2>/dev/null
}

check() {
	what=$1
	shift
	if "$@"; then
		PASSES=$((PASSES + 1))
	else
		FAILS=$((FAILS + 1))
		echo "FAIL: $what"
	fi
}

# expect WHAT EXPECTED ACTUAL: exact text comparison with a diff on failure.
expect() {
	if [ "$2" = "$3" ]; then
		PASSES=$((PASSES + 1))
	else
		FAILS=$((FAILS + 1))
		echo "FAIL: $1"
		echo "--- expected"
		echo "$2"
		echo "--- got"
		echo "$3"
	fi
}

# contains WHAT NEEDLE HAYSTACK
contains() {
	case "$3" in
	*"$2"*) PASSES=$((PASSES + 1)) ;;
	*) FAILS=$((FAILS + 1)); echo "FAIL: $1: '$2' not in:"; echo "$3" ;;
	esac
}

finish() {
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}

# dig against the daemon: UDP by default; the sections as "name ttl class type rdata" lines.
d() {
	dig +tries=2 +time=5 +norec @127.0.0.1 -p "$PORT" "$@"
}

# start_backend NAME ADDR [args]: a tests/backend on ADDR with kernel-chosen
# ports; sets NAME_http, NAME_tcp, NAME_dns, NAME_ctl and NAME_pid.
BACKENDS=
start_backend() {
	name=$1
	baddr=$2
	shift 2
	"$top_builddir/tests/backend" -a "$baddr" --tcp 0 --http 0 --dns 0 --control 0 "$@" 2>"$T/backend-$name.log" &
	eval "${name}_pid=$!"
	BACKENDS="$BACKENDS $!"
	for i in $(seq 1 100); do
		line=$(grep -s "backend: ready" "$T/backend-$name.log")
		[ -n "$line" ] && break
		sleep 0.1
	done
	[ -n "$line" ] || { cat "$T/backend-$name.log"; echo "FAIL: backend $name did not start"; exit 1; }
	for kv in $(echo "$line" | sed 's/.*ready //'); do
		eval "${name}_${kv%%=*}=${kv#*=}"
	done
	eval "${name}_ctl=\$${name}_control"
}

# backend_ctl NAME COMMAND...: switches a backend's behaviour.
backend_ctl() {
	name=$1
	shift
	eval "port=\$${name}_ctl"
	"$top_builddir/tests/backend" ctl "$port" "$@" >/dev/null
}

stop_backends() {
	for pid in $BACKENDS; do
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	BACKENDS=
}

# eventually SECONDS COMMAND...: true as soon as COMMAND succeeds, polling every 0.1 s.
eventually() {
	limit=$1
	shift
	end=$(($(date +%s) + limit))
	while [ "$(date +%s)" -le "$end" ]; do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
