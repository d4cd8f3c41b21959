#!/bin/sh
# Bad input over UDP and TCP: each malformed packet gets FORMERR, NOTIMP or
# silence as RFC 1035/6891/8906 ask, and the daemon keeps answering.
. "$(dirname "$0")/lib.sh"
need dig

start_ns "$top_srcdir/zones/example.conf"
Q="06737461746963076578616d706c650474657374000001 0001" # static.example.test A IN
alive() { [ "$(d +short static.example.test A)" = "192.0.2.80" ]; }
raw() { "$RAWQ" udp 127.0.0.1 "$PORT" "$1"; }

expect "well-formed raw query" "id=4660 rcode=NOERROR flags=qr,aa,rd qd=1 an=1 ns=0 ar=0 len=53" \
	"$(raw "1234 0100 0001 0000 0000 0000 $Q")"
expect "shorter than a header: dropped" "timeout" "$(raw "1234 0100 0001")"
expect "empty packet: dropped" "timeout" "$(raw "")"
expect "QR=1 (a response): ignored" "timeout" "$(raw "1234 8100 0001 0000 0000 0000 $Q")"
expect "QDCOUNT=0: FORMERR" "id=4660 rcode=FORMERR flags=qr,rd qd=0 an=0 ns=0 ar=0 len=12" \
	"$(raw "1234 0100 0000 0000 0000 0000")"
expect "QDCOUNT=2: FORMERR" "id=4660 rcode=FORMERR flags=qr,rd qd=0 an=0 ns=0 ar=0 len=12" \
	"$(raw "1234 0100 0002 0000 0000 0000 $Q $Q")"
expect "opcode NOTIFY: NOTIMP" "id=4660 rcode=NOTIMP flags=qr qd=0 an=0 ns=0 ar=0 len=12" \
	"$(raw "1234 2000 0001 0000 0000 0000 $Q")"
expect "opcode UPDATE: NOTIMP" "id=4660 rcode=NOTIMP flags=qr qd=0 an=0 ns=0 ar=0 len=12" \
	"$(raw "1234 2800 0001 0000 0000 0000 $Q")"
expect "name running past the end: FORMERR" "id=4660 rcode=FORMERR flags=qr qd=0 an=0 ns=0 ar=0 len=12" \
	"$(raw "1234 0000 0001 0000 0000 0000 0673746174")"
expect "no type and class: FORMERR" "id=4660 rcode=FORMERR flags=qr qd=0 an=0 ns=0 ar=0 len=12" \
	"$(raw "1234 0000 0001 0000 0000 0000 06737461746963076578616d706c65047465737400")"
expect "label longer than 63: FORMERR" "id=4660 rcode=FORMERR flags=qr qd=0 an=0 ns=0 ar=0 len=12" \
	"$(raw "1234 0000 0001 0000 0000 0000 40616161 00 0001 0001")"
expect "compression pointer in the question: FORMERR" "id=4660 rcode=FORMERR flags=qr qd=0 an=0 ns=0 ar=0 len=12" \
	"$(raw "1234 0000 0001 0000 0000 0000 c00c 0001 0001")"
expect "ANCOUNT beyond the data: FORMERR" "id=4660 rcode=FORMERR flags=qr qd=0 an=0 ns=0 ar=0 len=12" \
	"$(raw "1234 0000 0001 0005 0000 0000 $Q")"
OPT="00 0029 04d0 00000000 0000"
expect "EDNS query: OPT answered" "id=4660 rcode=NOERROR flags=qr,aa qd=1 an=1 ns=0 ar=1 len=64" \
	"$(raw "1234 0000 0001 0000 0000 0001 $Q $OPT")"
expect "two OPT records: FORMERR" "id=4660 rcode=FORMERR flags=qr qd=0 an=0 ns=0 ar=0 len=12" \
	"$(raw "1234 0000 0001 0000 0000 0002 $Q $OPT $OPT")"
expect "OPT in the answer section: FORMERR" "id=4660 rcode=FORMERR flags=qr qd=0 an=0 ns=0 ar=0 len=12" \
	"$(raw "1234 0000 0001 0001 0000 0000 $Q $OPT")"
expect "OPT with a non-root owner: FORMERR" "id=4660 rcode=FORMERR flags=qr qd=0 an=0 ns=0 ar=0 len=12" \
	"$(raw "1234 0000 0001 0000 0000 0001 $Q 0161 00 0029 04d0 00000000 0000")"
expect "EDNS option longer than the OPT: FORMERR" "id=4660 rcode=FORMERR flags=qr qd=0 an=0 ns=0 ar=0 len=12" \
	"$(raw "1234 0000 0001 0000 0000 0001 $Q 00 0029 04d0 00000000 0004 0003 0010")"
expect "payload below 512 is taken as 512" "id=4660 rcode=NOERROR flags=qr,aa qd=1 an=1 ns=0 ar=1 len=64" \
	"$(raw "1234 0000 0001 0000 0000 0001 $Q 00 0029 0010 00000000 0000")"
expect "class NONE: REFUSED" "id=4660 rcode=REFUSED flags=qr qd=1 an=0 ns=0 ar=0 len=37" \
	"$(raw "1234 0000 0001 0000 0000 0000 06737461746963076578616d706c650474657374000001 00fe")"
expect "AXFR over UDP: NOTIMP" "id=4660 rcode=NOTIMP flags=qr qd=1 an=0 ns=0 ar=0 len=30" \
	"$(raw "1234 0000 0001 0000 0000 0000 076578616d706c650474657374 00 00fc 0001")"
check "still answering after malformed packets" alive

# Random garbage of every length up to 600 bytes, a third with a plausible
# header, sent without waiting for answers (bash's /dev/udp: one write, one datagram).
bash -c '
	i=0
	while [ $i -lt 300 ]; do
		n=$((i * 2 % 600))
		{
			[ $((i % 3)) -eq 0 ] && printf "\253\315\000\000\000\001\000\000\000\000\000\00$((i % 4))"
			head -c "$n" /dev/urandom
		} >"$1/junk"
		cat "$1/junk" >"/dev/udp/127.0.0.1/$2"
		i=$((i + 1))
	done' junk "$T" "$PORT"
check "still answering after random garbage" alive

# TCP: a garbage message, a zero-length message, a length promising more than comes.
out=$("$RAWQ" tcp 127.0.0.1 "$PORT" "1234 0000 0000 0000 0000 0000" "1234 0000 0001 0000 0000 0000 $Q")
contains "TCP: FORMERR then the next answer on the same connection" "rcode=FORMERR" "$out"
contains "TCP: second answer" "rcode=NOERROR flags=qr,aa qd=1 an=1" "$out"
"$RAWQ" tcp 127.0.0.1 "$PORT" "" >/dev/null 2>&1
printf '\377\377abc' | timeout 5 bash -c "cat > /dev/tcp/127.0.0.1/$PORT" 2>/dev/null
check "still answering after TCP garbage" alive

stop_ns
out=$(grep "stopped" "$T/ns.log")
contains "dropped packets are counted" "dropped" "$out"
drops=$(echo "$out" | sed -n 's/.*dropped \([0-9]*\).*/\1/p')
check "at least the 3 short and response packets were counted" [ "${drops:-0}" -ge 3 ]
finish
