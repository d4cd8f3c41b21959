#!/bin/sh
# sd_notify: levelnsd tells the service manager ($NOTIFY_SOCKET, a path or
# an abstract '@name') READY=1 once serving, RELOADING=1 with
# MONOTONIC_USEC= and then READY=1 with the outcome for every reload
# (accepted or refused), and STOPPING=1 on SIGTERM. tests/notify_listen
# plays the manager.
. "$(dirname "$0")/lib.sh"
need dig
answers_static() { d +short static.example.test A | grep -q .; }

LISTEN="$top_builddir/tests/notify_listen"
cp "$top_srcdir/zones/example.test.zone" "$T/"
cat >"$T/n.conf" <<CONF
server: { node = "n1"; workers = 1; };
zones = ( { name = "example.test"; file = "example.test.zone"; } );
CONF

# listen NAME: starts the listener, its datagrams into $T/notify.out.
listen() {
	: >"$T/notify.out"
	: >"$T/listen.log"
	"$LISTEN" "$1" 300 >"$T/notify.out" 2>"$T/listen.log" &
	LISTEN_PID=$!
	BACKENDS="$BACKENDS $LISTEN_PID"
	for i in $(seq 1 50); do grep -q "notify_listen: ready" "$T/listen.log" && return 0; sleep 0.1; done
	cat "$T/listen.log"
	echo "FAIL: notify_listen did not start"
	exit 1
}
messages() { cat "$T/notify.out"; }
has_lines() { [ "$(wc -l <"$T/notify.out")" -ge "$1" ]; }
# The messages with the variable parts (pid, times, counts) replaced.
shape() {
	sed -e 's/MAINPID=[0-9]*/MAINPID=N/' -e 's/MONOTONIC_USEC=[0-9]*/MONOTONIC_USEC=N/' \
		-e 's/([0-9]* records)/(N records)/' "$T/notify.out"
}

# ---- a socket path ----
listen "$T/notify.sock"
export NOTIFY_SOCKET="$T/notify.sock"
start_ns "$T/n.conf"
unset NOTIFY_SOCKET
check "READY=1 once serving" eventually 10 has_lines 1
expect "the first message: READY, the main PID and a status" \
	"READY=1|MAINPID=$NS_PID|STATUS=serving 1 zones and 0 pools on 127.0.0.1@$PORT" "$(head -n 1 "$T/notify.out")"
contains "ready line in the log as before" "levelnsd: ready:" "$(cat "$T/ns.log")"

kill -HUP "$NS_PID"
check "a reload: RELOADING=1, then READY=1" eventually 10 has_lines 3
usec=$(sed -n 's/.*MONOTONIC_USEC=\([0-9]*\).*/\1/p' "$T/notify.out" | head -n 1)
up=$(cut -d. -f1 /proc/uptime)
# CLOCK_MONOTONIC runs with the uptime (both stop in suspend).
near_uptime() { [ -n "$usec" ] && [ $((usec / 1000000)) -ge $((up - 5)) ] && [ $((usec / 1000000)) -le $((up + 5)) ]; }
check "MONOTONIC_USEC is CLOCK_MONOTONIC in microseconds ($usec vs uptime $up s)" near_uptime

printf 'broken\tIN\tBOGUS\tx\n' >>"$T/example.test.zone"
kill -HUP "$NS_PID"
check "a refused reload: RELOADING=1, then READY=1 with the reason" eventually 10 has_lines 5
check "still answering after the refused reload" eventually 10 answers_static

stop_ns
check "STOPPING=1 on SIGTERM" eventually 5 has_lines 6
expect "the messages, in order" "READY=1|MAINPID=N|STATUS=serving 1 zones and 0 pools on 127.0.0.1@$PORT
RELOADING=1|MONOTONIC_USEC=N
READY=1|STATUS=reload ok: serving 1 zones (N records) and 0 pools
RELOADING=1|MONOTONIC_USEC=N
READY=1|STATUS=reload refused: $(sed -n 's/.*reload: refused, keeping the running configuration: //p' "$T/ns.log")
STOPPING=1|STATUS=stopping" "$(shape)"
contains "the refusal names the file and line" "example.test.zone:" "$(sed -n 5p "$T/notify.out")"
kill -TERM "$LISTEN_PID" 2>/dev/null

# ---- an abstract socket ----
name="@levelns-test-$$-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')"
cp "$top_srcdir/zones/example.test.zone" "$T/"
listen "$name"
export NOTIFY_SOCKET="$name"
start_ns "$T/n.conf"
unset NOTIFY_SOCKET
check "abstract socket: READY=1" eventually 10 has_lines 1
contains "abstract socket: READY first" "READY=1|MAINPID=$NS_PID|" "$(head -n 1 "$T/notify.out")"
stop_ns
check "abstract socket: STOPPING=1" eventually 5 sh -c "tail -n 1 '$T/notify.out' | grep -q '^STOPPING=1|'"
kill -TERM "$LISTEN_PID" 2>/dev/null

# ---- a bad NOTIFY_SOCKET is a warning, not a failure ----
export NOTIFY_SOCKET="not-absolute/notify.sock"
start_ns "$T/n.conf"
unset NOTIFY_SOCKET
contains "bad NOTIFY_SOCKET: warned" "NOTIFY_SOCKET not-absolute/notify.sock: Invalid argument" "$(cat "$T/ns.log")"
check "bad NOTIFY_SOCKET: still answers" answers_static
stop_ns

finish
