#!/bin/sh
# Differential test: NSD (the Debian package) and levelnsd serve the same zone,
# zones/example.test.zone, on loopback; tests/dnscmp sends every query of
# tests/diff_queries.txt to both and compares rcode, flags, question, the
# three sections as sets of RRs, and the OPT record.
#
# Deliberate differences are documented in two places:
#  - tests/diff_queries.txt: a line ending in "# expect-diff(SECTIONS): REASON";
#  - the dnscmp command line below, for those that would mark many lines:
#    --ignore-auth-ns-on-positive.  NSD's default
#    (minimal-responses: no) puts the zone's NS RRset in the authority section
#    of every positive answer, with the name servers' addresses in additional;
#    levelnsd answers minimally (RFC 1034 leaves this to the server).  dnscmp
#    removes that NS RRset, and the addresses only it needed, from both replies
#    before comparing.  Additional data for MX, SRV and answer NS is still
#    compared.  (NSD's "minimal-responses: yes" is no substitute: it also
#    drops the MX and SRV target addresses, which levelnsd does send.)
#
# Automake test protocol: exit 0 pass, 1 fail, 77 skip (nsd or dig missing),
# 99 hard error (a server did not start).  Runs with cwd = build dir.
#
# Environment:
#   top_srcdir or srcdir   the sources (default: this script's parent)
#   top_builddir           where levelnsd and tests/dnscmp are built (default: .)
#   NSD, DIG               programs to use (default: from PATH, /usr/sbin)
#   LEVELNSD_CONF          levelnsd configuration (default: zones/example.conf)
#   DNSCMP_FLAGS           extra dnscmp flags (e.g. -v)
#   DIFF_SELFTEST=1        compare NSD against a second NSD (checks the tool)
#   DIFF_KEEP=1            keep the temporary directory for inspection

set -u

# The top source dir: AM_TESTS_ENVIRONMENT's top_srcdir, else automake's srcdir
# (the top one, with the non-recursive Makefile.am), else this script's parent.
srcdir=${top_srcdir:-${srcdir:-$(dirname "$0")/..}}
top_builddir=${top_builddir:-.}
abs_srcdir=$(cd "$srcdir" && pwd) || exit 99
abs_builddir=$(cd "$top_builddir" && pwd) || exit 99

zone="$abs_srcdir/zones/example.test.zone"
queries="$abs_srcdir/tests/diff_queries.txt"
conf=${LEVELNSD_CONF:-$abs_srcdir/zones/example.conf}
levelnsd="$abs_builddir/levelnsd"
dnscmp="$abs_builddir/tests/dnscmp"

NSD=${NSD:-$(command -v nsd 2>/dev/null || { test -x /usr/sbin/nsd && echo /usr/sbin/nsd; })}
DIG=${DIG:-$(command -v dig 2>/dev/null)}
if [ -z "$NSD" ] || [ ! -x "$NSD" ]; then
	echo "SKIP: nsd not installed (apt-get install nsd)"
	exit 77
fi
if [ -z "$DIG" ] || [ ! -x "$DIG" ]; then
	echo "SKIP: dig not installed (apt-get install bind9-dnsutils)"
	exit 77
fi
for f in "$zone" "$queries" "$conf" "$dnscmp"; do
	[ -e "$f" ] || { echo "ERROR: $f missing"; exit 99; }
done
if [ "${DIFF_SELFTEST:-0}" != 1 ] && [ ! -x "$levelnsd" ]; then
	echo "ERROR: $levelnsd not built"
	exit 99
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/diff_nsd.XXXXXX") || exit 99
nsd_pid=
b_pid=

stop() { # pid: SIGTERM, then wait up to 10 s; sets stop_status
	p=$1
	kill -TERM "$p" 2>/dev/null
	i=0
	while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$p" 2>/dev/null; then
		echo "ERROR: pid $p ignored SIGTERM for 10 s, killing it" >&2
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		stop_status=137
		return
	fi
	wait "$p" 2>/dev/null
	stop_status=$?
}

# shellcheck disable=SC2317 # called from the trap
cleanup() {
	[ -n "$b_pid" ] && stop "$b_pid"
	[ -n "$nsd_pid" ] && stop "$nsd_pid"
	b_pid=''
	nsd_pid=
	if [ "${DIFF_KEEP:-0}" = 1 ]; then
		echo "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 99' HUP INT TERM

random_port() { # 20000..59999, from the kernel's generator
	n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	echo $((20000 + n % 40000))
}

port_in_use() {
	command -v ss >/dev/null 2>&1 || return 1
	ss -Htuln 2>/dev/null | awk '{print $5}' | grep -q "[:.]$1\$"
}

free_port() {
	while :; do
		p=$(random_port)
		port_in_use "$p" || { echo "$p"; return; }
	done
}

# wait_ready PID PORT: until the server answers SOA for the zone (20 s), or
# the process died (returns 1).
wait_ready() {
	i=0
	while [ $i -lt 80 ]; do
		kill -0 "$1" 2>/dev/null || return 1
		if "$DIG" @127.0.0.1 -p "$2" example.test SOA +norec +time=1 +tries=1 +short \
			2>/dev/null | grep -q hostmaster; then
			return 0
		fi
		sleep 0.25
		i=$((i + 1))
	done
	echo "ERROR: nothing answers on 127.0.0.1@$2 after 20 s" >&2
	return 1
}

# start_nsd DIR PORT: NSD with everything in DIR, loopback only.  Options are
# spelled out where they matter to the comparison: minimal-responses and
# refuse-any keep NSD's defaults, RRL is off (the query burst would trip it
# and turn answers into TC slips), transfers are allowed as in example.conf.
start_nsd() {
	d=$1
	mkdir -p "$d"
	cat >"$d/nsd.conf" <<EOF
server:
	server-count: 1
	ip-address: 127.0.0.1@$2
	do-ip6: no
	username: ""
	chroot: ""
	zonesdir: "$d"
	database: ""
	zonefiles-write: 0
	zonelistfile: "$d/zone.list"
	xfrdfile: "$d/xfrd.state"
	xfrdir: "$d"
	pidfile: "$d/nsd.pid"
	logfile: "$d/nsd.log"
	verbosity: 1
	nsid: "ascii_nsd-diff"
	minimal-responses: no
	refuse-any: no
	round-robin: no
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: "example.test"
	zonefile: "$zone"
	provide-xfr: 127.0.0.1 NOKEY
	provide-xfr: ::1 NOKEY
EOF
	"$NSD" -d -c "$d/nsd.conf" >"$d/stderr" 2>&1 &
	started_pid=$!
}

start_levelnsd() {
	# as root it would drop to server.user, which the test machine may lack
	"$levelnsd" -c "$conf" -f -a "127.0.0.1@$1" --http none $([ "$(id -u)" -eq 0 ] && echo --allow-root) \
		>"$tmp/levelnsd.log" 2>&1 &
	started_pid=$!
}

# start KIND: up to 5 tries with fresh random ports (another process may take
# a port between the check and the bind).  Sets port and pid.
start() {
	kind=$1
	tries=0
	while [ $tries -lt 5 ]; do
		tries=$((tries + 1))
		port=$(free_port)
		case $kind in
		nsd) start_nsd "$tmp/nsd-a" "$port" ;;
		nsd2) start_nsd "$tmp/nsd-b" "$port" ;;
		levelnsd) start_levelnsd "$port" ;;
		esac
		pid=$started_pid
		if wait_ready "$pid" "$port"; then
			return 0
		fi
		if kill -0 "$pid" 2>/dev/null; then
			stop "$pid"
			return 1
		fi
		wait "$pid" 2>/dev/null
		echo "$kind did not start on port $port (try $tries), retrying" >&2
	done
	return 1
}

show_logs() {
	for f in "$tmp"/nsd-a/stderr "$tmp"/nsd-a/nsd.log "$tmp"/nsd-b/stderr \
		"$tmp"/nsd-b/nsd.log "$tmp"/levelnsd.log; do
		[ -s "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
	done
}

if ! start nsd; then
	echo "ERROR: nsd did not start"
	show_logs
	exit 99
fi
nsd_pid=$pid
nsd_port=$port

if [ "${DIFF_SELFTEST:-0}" = 1 ]; then
	b_kind=nsd2
	b_label=nsd2
else
	b_kind=levelnsd
	b_label=levelnsd
fi
if ! start "$b_kind"; then
	echo "ERROR: $b_kind did not start"
	show_logs
	exit 99
fi
b_pid=$pid
b_port=$port
echo "nsd on 127.0.0.1@$nsd_port (pid $nsd_pid), $b_label on 127.0.0.1@$b_port (pid $b_pid)"

# shellcheck disable=SC2086 # DNSCMP_FLAGS is a word list on purpose
"$dnscmp" --label-a nsd --label-b "$b_label" --ignore-auth-ns-on-positive \
	${DNSCMP_FLAGS:-} "127.0.0.1@$nsd_port" "127.0.0.1@$b_port" "$queries"
cmp_status=$?

status=0
[ $cmp_status -eq 0 ] || status=1
stop "$b_pid"
b_exit=$stop_status
b_pid=
if [ "$b_exit" != 0 ]; then
	echo "FAIL: $b_label exited with status $b_exit after SIGTERM (want 0)"
	status=1
fi
stop "$nsd_pid"
nsd_exit=$stop_status
nsd_pid=
[ "$nsd_exit" = 0 ] || echo "note: nsd exited with status $nsd_exit"
[ $status -eq 0 ] || show_logs
exit $status
