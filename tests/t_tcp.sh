#!/bin/sh
# DNS over TCP (RFC 7766): several queries on one connection answered in
# order, pipelining, large answers, the idle timeout and the connection
# limit; zone transfers (RFC 5936): allowed, refused with EDE 18, not over UDP.
. "$(dirname "$0")/lib.sh"
need dig kdig

E=example.test
ZONE="$top_srcdir/zones/example.test.zone"

# qname NAME: the name in wire format, in hex.
qname() {
	for label in $(echo "$1" | tr '.' ' '); do
		printf '%02x%s' "${#label}" "$(printf %s "$label" | od -An -tx1 | tr -d ' \n')"
	done
	printf '00'
}

# q ID NAME TYPE [edns]: a query for rawq (TYPE as a number), with an OPT
# record advertising 1232 bytes when the fourth argument is given.
q() {
	if [ $# -ge 4 ]; then
		printf '%04x 0000 0001 0000 0000 0001 %s %04x 0001 00 0029 04d0 00000000 0000' "$1" "$(qname "$2")" "$3"
	else
		printf '%04x 0000 0001 0000 0000 0000 %s %04x 0001' "$1" "$(qname "$2")" "$3"
	fi
}
A=1 NS=2 TXT=16 AAAA=28 AXFR=252 ANY=255

# eventually SECONDS COMMAND...: true once COMMAND succeeds, false after SECONDS.
eventually() {
	limit=$(($1 * 10))
	shift
	n=0
	while [ $n -lt $limit ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}

cat >"$T/tcp.conf" <<EOF
server: { node = "ns1"; tcp_max_connections = 4; tcp_idle_timeout_ms = 60000; };
zones = ( { name = "$E"; file = "$ZONE"; allow_transfer = [ "127.0.0.1", "::1" ]; } );
EOF
start_ns "$T/tcp.conf"

# Several queries on one connection, each sent after the previous answer.
expect "one connection, one query after another" "id=1 rcode=NOERROR flags=qr,aa qd=1 an=1 ns=0 ar=0 len=53
id=2 rcode=NXDOMAIN flags=qr,aa qd=1 an=0 ns=1 ar=0 len=89
id=3 rcode=NOERROR flags=qr,aa qd=1 an=2 ns=0 ar=0 len=85
id=4 rcode=NOERROR flags=qr,aa qd=1 an=1 ns=0 ar=1 len=76
answers=4" "$("$RAWQ" seq 127.0.0.1 "$PORT" "$(q 1 static.$E $A)" "$(q 2 nothing.$E $A)" \
	"$(q 3 alias.$E $AAAA)" "$(q 4 static.$E $AAAA edns)")"

# Pipelined: all sent at once, answered in the order asked.
expect "pipelined queries answered in order" "id=10 rcode=NOERROR flags=qr,aa qd=1 an=1 ns=0 ar=0 len=53
id=11 rcode=NOERROR flags=qr,aa qd=1 an=3 ns=0 ar=0 len=823
id=12 rcode=NXDOMAIN flags=qr,aa qd=1 an=0 ns=1 ar=0 len=89
id=13 rcode=NOERROR flags=qr qd=1 an=0 ns=2 ar=1 len=107
id=14 rcode=NOERROR flags=qr,aa qd=1 an=1 ns=0 ar=1 len=64
answers=5" "$("$RAWQ" tcp 127.0.0.1 "$PORT" "$(q 10 static.$E $A)" "$(q 11 big.$E $TXT)" \
	"$(q 12 nothing.$E $A)" "$(q 13 www.child.$E $A)" "$(q 14 static.$E $A edns)")"

set --
i=0
while [ $i -lt 200 ]; do
	set -- "$@" "$(q $((1000 + i)) static.$E $A)"
	i=$((i + 1))
done
out=$("$RAWQ" tcp 127.0.0.1 "$PORT" "$@")
expect "200 pipelined queries: 200 answers" "answers=200" "$(echo "$out" | tail -1)"
expect "200 pipelined queries: in order, all NOERROR" "$(seq 1000 1199 | sed 's/.*/id=& rcode=NOERROR/')" \
	"$(echo "$out" | sed -n 's/^\(id=[0-9]* rcode=[A-Z]*\).*/\1/p')"

# Large answers: no truncation over TCP, with or without EDNS.
expect "big TXT over TCP without EDNS: whole" "id=20 rcode=NOERROR flags=qr,aa qd=1 an=3 ns=0 ar=0 len=823
answers=1" "$("$RAWQ" tcp 127.0.0.1 "$PORT" "$(q 20 big.$E $TXT)")"
expect "big TXT over UDP without EDNS: truncated" "id=21 rcode=NOERROR flags=qr,aa,tc qd=1 an=0 ns=0 ar=0 len=34" \
	"$("$RAWQ" udp 127.0.0.1 "$PORT" "$(q 21 big.$E $TXT)")"
expect "dig +tcp +noedns: the three big TXT records" 3 \
	"$(d +tcp +noedns +noall +answer big.$E TXT | grep -c TXT)"
expect "ANY over TCP: every RRset at the apex" "id=22 rcode=NOERROR flags=qr,aa qd=1 an=9 ns=0 ar=0 len=272
answers=1" "$("$RAWQ" tcp 127.0.0.1 "$PORT" "$(q 22 $E $ANY)")"
expect "ANY over TCP at big: all three TXT" "id=23 rcode=NOERROR flags=qr,aa qd=1 an=3 ns=0 ar=0 len=823
answers=1" "$("$RAWQ" tcp 127.0.0.1 "$PORT" "$(q 23 big.$E $ANY)")"
out=$(kdig +tcp +norec @127.0.0.1 -p "$PORT" big.$E TXT)
contains "kdig +tcp big TXT" "ANSWER: 3" "$out"

# Zone transfer from an allowed address: the whole zone, SOA first and last.
out=$(d AXFR $E)
contains "dig AXFR: 40 records" "XFR size: 40 records" "$out"
records=$(echo "$out" | grep -v '^;' | grep -v '^$' | awk '{ $1 = $1; print }')
expect "AXFR starts with the SOA" "$E. 3600 IN SOA ns1.$E. hostmaster.$E. 2026112801 7200 3600 1209600 300" \
	"$(echo "$records" | head -1)"
expect "AXFR ends with the SOA" "$E. 3600 IN SOA ns1.$E. hostmaster.$E. 2026112801 7200 3600 1209600 300" \
	"$(echo "$records" | tail -1)"
if command -v ldns-read-zone >/dev/null 2>&1; then
	# (hex digits of unknown types are compared case-insensitively)
	expect "AXFR holds every record of the zone file once" \
		"$(ldns-read-zone -z "$ZONE" | awk '{ $1 = $1; print }' | tr A-F a-f | LC_ALL=C sort)" \
		"$(echo "$records" | sed 1d | tr A-F a-f | LC_ALL=C sort)"
fi
out=$(kdig @127.0.0.1 -p "$PORT" AXFR $E 2>&1)
contains "kdig AXFR: 40 records" "(1 messages, 40 records)" "$out"

# From an address not in allow_transfer: refused.
out=$(dig -b 127.0.0.2 @127.0.0.1 -p "$PORT" AXFR $E)
contains "dig AXFR from 127.0.0.2: refused" "; Transfer failed." "$out"
out=$(kdig -b 127.0.0.2 @127.0.0.1 -p "$PORT" AXFR $E 2>&1)
contains "kdig AXFR from 127.0.0.2: refused" "server replied with error 'REFUSED'" "$out"
expect "AXFR from 127.0.0.2 with EDNS: REFUSED with EDE 18 (prohibited)" \
	"id=30 rcode=REFUSED flags=qr qd=1 an=0 ns=0 ar=1 len=47 ede=18
answers=1" "$("$RAWQ" -b 127.0.0.2 tcp 127.0.0.1 "$PORT" "$(q 30 $E $AXFR edns)")"
expect "AXFR from 127.0.0.2 without EDNS: REFUSED" "id=31 rcode=REFUSED flags=qr qd=1 an=0 ns=0 ar=0 len=30
answers=1" "$("$RAWQ" -b 127.0.0.2 tcp 127.0.0.1 "$PORT" "$(q 31 $E $AXFR)")"
expect "AXFR of a zone not served: REFUSED" "id=32 rcode=REFUSED flags=qr qd=1 an=0 ns=0 ar=0 len=29
answers=1" "$("$RAWQ" tcp 127.0.0.1 "$PORT" "$(q 32 example.org $AXFR)")"

# Over UDP: NOTIMP, even from an allowed address.
expect "AXFR over UDP: NOTIMP" "id=40 rcode=NOTIMP flags=qr qd=1 an=0 ns=0 ar=0 len=30" \
	"$("$RAWQ" udp 127.0.0.1 "$PORT" "$(q 40 $E $AXFR)")"
expect "AXFR over UDP with EDNS: NOTIMP" "id=41 rcode=NOTIMP flags=qr qd=1 an=0 ns=0 ar=1 len=41" \
	"$("$RAWQ" udp 127.0.0.1 "$PORT" "$(q 41 $E $AXFR edns)")"

# Connection limit (4): with 3 connections held a 4th is served; with 4 held
# a 5th waits in the kernel's backlog unanswered, and is answered as soon as
# one of them closes.
"$RAWQ" hold 127.0.0.1 "$PORT" 3 60 >"$T/hold3.out" &
HOLD3=$!
check "3 connections held" eventually 20 grep -q "holding 3" "$T/hold3.out"
contains "below the limit: a 4th connection is served" "answered after" \
	"$("$RAWQ" wait 127.0.0.1 "$PORT" 10 "$(q 49 static.$E $A)")"
"$RAWQ" hold 127.0.0.1 "$PORT" 1 60 >"$T/hold1.out" &
HOLD1=$!
check "4 connections held" eventually 20 grep -q "holding 1" "$T/hold1.out"
"$RAWQ" wait 127.0.0.1 "$PORT" 60 "$(q 50 static.$E $A)" >"$T/wait.out" &
WAITER=$!
out=$(kdig +tcp +norec +timeout=2 +retry=0 @127.0.0.1 -p "$PORT" static.$E A 2>&1)
check "at the limit: kdig +tcp gets no answer" [ "$(echo "$out" | grep -c 'status: NOERROR')" -eq 0 ]
check "at the limit: the waiting query is not answered" [ ! -s "$T/wait.out" ]
check "at the limit: UDP still answers" [ "$(d +short static.$E A)" = "192.0.2.80" ]
kill "$HOLD1"
wait "$HOLD1" 2>/dev/null
wait "$WAITER"
rc=$?
check "when one held connection closes, the waiting query is answered" [ "$rc" -eq 0 ]
contains "the waiting query's answer" "id=50 rcode=NOERROR flags=qr,aa qd=1 an=1" "$(cat "$T/wait.out")"
kill "$HOLD3"
wait "$HOLD3" 2>/dev/null
check "after the limit: dig +tcp answers" [ "$(d +tcp +short static.$E A)" = "192.0.2.80" ]
stop_ns

# Idle timeout: 1 s in this configuration, so a silent connection is
# closed after about a second, and well before the 10 s default.
sed 's/tcp_idle_timeout_ms = 60000/tcp_idle_timeout_ms = 1000/' "$T/tcp.conf" >"$T/idle.conf"
start_ns "$T/idle.conf"
out=$("$RAWQ" idle 127.0.0.1 "$PORT" 20)
secs=$(echo "$out" | sed -n 's/^closed after \([0-9.]*\) s$/\1/p')
check "idle connection closed ($out)" [ -n "$secs" ]
check "idle connection closed after about 1 s, not before ($out)" awk "BEGIN { exit !(${secs:-0} >= 0.9) }"
check "idle connection closed well under 10 s ($out)" awk "BEGIN { exit !(${secs:-99} < 8) }"
stop_ns
finish
