# bench/lib.sh: shared by the load-levelling benchmarks (bench/failover,
# bench/false-downs, bench/pool-qps, bench/probe-cost); sourced, not run.
#
# It starts tests/backend members and levelnsd on loopback, talks to the
# backends' control ports and to the admin API, reads CPU time from /proc,
# and stops every process it started when the script exits, Ctrl-C included.
# The caller sets prog and parses its options, then calls bench_init NAME.

set -eu -o pipefail
export LC_ALL=C
PATH=$PATH:/usr/sbin:/sbin

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${builddir:-$srcdir}
outdir=${outdir:-$srcdir/bench/out}

die() {
	echo "$prog: $*" >&2
	exit 1
}

is_uint() {
	case $1 in '' | *[!0-9]*) return 1 ;; esac
}

need() { # tool package
	command -v "$1" >/dev/null 2>&1 || die "$1 not found: install the Debian package $2 (apt-get install $2)"
}

say() { # to the terminal and the report
	printf '%s\n' "$*" | tee -a "$report"
}

# bench_init NAME: checks the binaries, creates bench/out/NAME-DATE.txt and
# the work directory NAME-DATE.d beside it.
bench_init() {
	need awk mawk
	need ss iproute2
	need curl curl
	need jq jq
	builddir=$(cd "$builddir" 2>/dev/null && pwd) || die "-b: no such directory"
	LEVELNSD=$builddir/levelnsd
	BACKEND=$builddir/tests/backend
	CARES=$builddir/tests/cares_resolve
	local f
	for f in "$LEVELNSD" "$BACKEND" "$CARES"; do
		[ -x "$f" ] || die "$f not found: build it (make && make tests/backend tests/cares_resolve) or pass -b BUILD_DIR"
	done
	hz=$(getconf CLK_TCK)
	stamp=$(date +%Y%m%d-%H%M%S)
	mkdir -p "$outdir"
	work=$outdir/$1-$stamp.d
	report=$outdir/$1-$stamp.txt
	mkdir -p "$work"
	: >"$report"
	say "# $prog $stamp"
	say "host: $(uname -n), $(uname -r), $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), load average $(cut -d' ' -f1-3 /proc/loadavg)"
	say "levelnsd: $LEVELNSD, built $(date -u -r "$LEVELNSD" +%Y-%m-%dT%H:%M:%SZ), sha256 $(sha256sum "$LEVELNSD" | cut -c1-12); sources at $(git -C "$srcdir" describe --always --dirty 2>/dev/null || echo '(no git)')"
}

# --- processes -------------------------------------------------------------------

bg_pids=()      # helpers (clients, loaders): killed first
daemon_pids=()  # backends and levelnsd
ns_pid=
ns_rc=

stop_all() {
	local p i rc
	for p in "${bg_pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${bg_pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	bg_pids=()
	for p in "${daemon_pids[@]}"; do
		kill -CONT "$p" 2>/dev/null || true # in case it was stopped (probe-cost --stall)
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${daemon_pids[@]}"; do
		for i in $(seq 50); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$p" 2>/dev/null; then
			echo "$prog: pid $p ignored SIGTERM for 5 s, killing it" >&2
			kill -KILL "$p" 2>/dev/null || true
		fi
		rc=0
		wait "$p" 2>/dev/null || rc=$?
		if [ "$p" = "$ns_pid" ]; then
			ns_rc=$rc
			[ "$rc" -eq 0 ] || echo "note: levelnsd exited with status $rc (log: $work/levelnsd.log)" | tee -a "$report" >&2
		fi
	done
	daemon_pids=()
}
trap 'stop_all' EXIT
trap 'echo "$prog: interrupted" >&2; exit 130' INT
trap 'echo "$prog: terminated" >&2; exit 143' TERM

# forget PID ARRAY: drops a process that has been waited for from the list.
forget() {
	local -n list=$2
	local p keep=()
	for p in "${list[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	list=("${keep[@]}")
}

# start_bg COMMAND...: a helper in the background, stopped at exit; sets bg_pid.
start_bg() {
	"$@" &
	bg_pid=$!
	bg_pids+=("$bg_pid")
}

# wait_bg PID: its exit status in bg_rc; never fails.
wait_bg() {
	bg_rc=0
	wait "$1" 2>/dev/null || bg_rc=$?
	forget "$1" bg_pids
}

# --- backends --------------------------------------------------------------------

declare -A bk_pid bk_tcp bk_http bk_dns bk_ctl bk_fd

# start_backend NAME ADDR [backend options]: kernel-chosen ports, read from
# its ready line into bk_tcp[NAME], bk_http[NAME], bk_ctl[NAME]...
start_backend() {
	local name=$1 addr=$2 line='' i kv
	shift 2
	"$BACKEND" -a "$addr" --tcp 0 --http 0 --dns 0 --control 0 "$@" 2>"$work/backend-$name.log" &
	bk_pid[$name]=$!
	daemon_pids+=("$!")
	for i in $(seq 100); do
		line=$(grep -s -m1 '^backend: ready' "$work/backend-$name.log" || true)
		[ -z "$line" ] || break
		kill -0 "${bk_pid[$name]}" 2>/dev/null || break
		sleep 0.05
	done
	[ -n "$line" ] || { cat "$work/backend-$name.log" >&2; die "backend $name on $addr did not start"; }
	for kv in ${line#backend: ready }; do
		case ${kv%%=*} in
		tcp) bk_tcp[$name]=${kv#*=} ;;
		http) bk_http[$name]=${kv#*=} ;;
		dns) bk_dns[$name]=${kv#*=} ;;
		control) bk_ctl[$name]=${kv#*=} ;;
		esac
	done
}

# ctl NAME COMMAND...: one command over a control connection that stays
# open, so that switching a mode costs a write and a read, not a process:
# the mode has changed when this returns (within a millisecond of the call).
ctl() {
	local name=$1 ans='' fd
	shift
	if [ -z "${bk_fd[$name]:-}" ]; then
		exec {fd}<>"/dev/tcp/127.0.0.1/${bk_ctl[$name]}" || die "cannot connect to backend $name's control port"
		bk_fd[$name]=$fd
	fi
	fd=${bk_fd[$name]}
	printf '%s\n' "$*" >&"$fd"
	read -r -t 5 ans <&"$fd" || die "backend $name: no answer to '$*'"
	ans=${ans%$'\r'}
	case $ans in
	error:*) die "backend $name: '$*': $ans" ;;
	esac
	ctl_answer=$ans
}

# --- levelnsd --------------------------------------------------------------------

# Started as root, levelnsd would drop to server.user ("levelns"), which a
# test machine may lack: benchmarks keep it root.
as_root=()
[ "$(id -u)" -ne 0 ] || as_root=(--allow-root)

port_is_free() {
	[ -z "$(ss -Hlnu "sport = :$1" 2>/dev/null)" ] && [ -z "$(ss -Hlnt "sport = :$1" 2>/dev/null)" ]
}

# start_levelnsd CONF [command prefix...]: DNS on 127.0.0.1@NS_PORT, the admin
# API on 127.0.0.1@API_PORT; waits for the readiness line.  A port taken
# between the check and the bind (tests run beside us) is retried elsewhere.
start_levelnsd() {
	local conf=$1 attempt i
	shift
	# Below the ephemeral range: connect()ed sockets in TIME-WAIT (many,
	# after a probe benchmark) block a bind() to their local port.
	local lo
	lo=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	[ "$lo" -gt 12000 ] || lo=65000
	for attempt in $(seq 8); do
		NS_PORT=$((10000 + RANDOM % (lo - 10002)))
		API_PORT=$((NS_PORT + 1))
		port_is_free "$NS_PORT" && port_is_free "$API_PORT" || continue
		: >"$work/levelnsd.log"
		"$@" "$LEVELNSD" "${as_root[@]}" -c "$conf" -f -a "127.0.0.1@$NS_PORT" --http "127.0.0.1@$API_PORT" \
			>>"$work/levelnsd.log" 2>&1 &
		ns_pid=$!
		daemon_pids+=("$ns_pid")
		for i in $(seq 600); do
			grep -q 'ready:' "$work/levelnsd.log" && return 0
			kill -0 "$ns_pid" 2>/dev/null || break
			sleep 0.05
		done
		kill -0 "$ns_pid" 2>/dev/null && die "levelnsd not ready after 30 s (log: $work/levelnsd.log)"
		wait "$ns_pid" 2>/dev/null || true
		forget "$ns_pid" daemon_pids
		ns_pid=
		grep -q 'in use' "$work/levelnsd.log" || { tail -n 20 "$work/levelnsd.log" >&2; die "levelnsd did not start"; }
	done
	die "no free port pair for levelnsd found"
}

ns_alive() {
	kill -0 "$ns_pid" 2>/dev/null || { tail -n 20 "$work/levelnsd.log" >&2; die "levelnsd (pid $ns_pid) died; log: $work/levelnsd.log"; }
}

api() { # PATH: GET /api/v1/PATH
	curl -sf --max-time 5 "http://127.0.0.1:$API_PORT/api/v1/$1"
}

# member_json POOL MEMBER: the member's object from /api/v1/health, on one line.
member_json() {
	api health | jq -c --arg p "$1" --arg m "$2" '.pools[] | select(.name == $p) | .members[] | select(.name == $m)'
}

# --- time and CPU ------------------------------------------------------------------

# now_us VAR: the wall clock in microseconds into VAR, without a process.
now_us() {
	local now_us_t=$EPOCHREALTIME
	printf -v "$1" '%d' "$((${now_us_t%.*} * 1000000 + 10#${now_us_t#*.}))"
}

# log_us LINE: the timestamp of a levelnsd log line (2026-11-28T20:04:32.711Z) in microseconds.
log_us() {
	local s
	s=$(date -u -d "$(cut -d' ' -f1 <<<"$1" | sed 's/T/ /; s/Z$//')" +%s%N) || return 1
	echo $((s / 1000))
}

# utime+stime of a process, every thread, in clock ticks.
proc_ticks() { # pid
	local s
	s=$(<"/proc/$1/stat") || return 1
	s=${s##*) }
	awk '{ print $12 + $13 }' <<<"$s"
}

# "utime stime" of a process, in clock ticks.
proc_us_st() { # pid
	local s
	s=$(<"/proc/$1/stat") || return 1
	s=${s##*) }
	awk '{ print $12, $13 }' <<<"$s"
}

# Machine-wide busy ticks (user nice system irq softirq steal) from /proc/stat.
busy_ticks() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

# median and max of numbers on stdin, one a line: "N median max" ("0 - -" if none).
stats() {
	sort -n | awk '{ a[++n] = $1 }
	END {
		if (!n) { print "0 - -"; exit }
		m = n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		print n, m, a[n]
	}'
}

rand_ms() { # uniformly 0..$1 ms, as seconds for sleep
	awk -v r="$(( (RANDOM << 15 | RANDOM) % ($1 + 1) ))" 'BEGIN { printf "%.3f", r / 1000 }'
}
