#!/bin/sh
# Answers to real clients (dig, kdig, drill) over UDP and TCP, with and
# without EDNS: rcode, flags and every section, for each answering rule.
. "$(dirname "$0")/lib.sh"
need dig kdig drill

start_ns "$top_srcdir/zones/example.conf"

# ans NAME TYPE [dig options]: "STATUS flags" then "SECTION name ttl class type rdata" lines.
ans() {
	name=$1 type=$2
	shift 2
	d "$@" "$name" "$type" | awk '
		/^;; ->>HEADER<<-/ { sub(/.*status: /, ""); sub(/,.*/, ""); status = $0 }
		/^;; flags:/ { sub(/^;; flags: /, ""); sub(/;.*/, ""); print status " " $0 }
		/^;; ANSWER SECTION:/ { sec = "AN"; next }
		/^;; AUTHORITY SECTION:/ { sec = "NS"; next }
		/^;; ADDITIONAL SECTION:/ { sec = "AR"; next }
		/^;/ || /^$/ { if (!/SECTION/) sec = sec; next }
		sec != "" { $1 = $1; print sec " " $0 }'
}

E=example.test
SOA_NEG="NS $E. 300 IN SOA ns1.$E. hostmaster.$E. 2026112801 7200 3600 1209600 300"

expect "A, exact match" "NOERROR qr aa
AN static.$E. 3600 IN A 192.0.2.80" "$(ans static.$E A)"

expect "AAAA over TCP" "NOERROR qr aa
AN static.$E. 3600 IN AAAA 2001:db8::80" "$(ans static.$E AAAA +tcp)"

expect "without EDNS" "NOERROR qr aa
AN static.$E. 3600 IN A 192.0.2.80" "$(ans static.$E A +noedns)"

expect "query name case preserved" "NOERROR qr aa
AN StAtIc.ExAmPlE.tEsT. 3600 IN A 192.0.2.80" "$(ans StAtIc.ExAmPlE.tEsT A)"

expect "NXDOMAIN with SOA (RFC 2308 TTL)" "NXDOMAIN qr aa
$SOA_NEG" "$(ans nothing.$E A)"

expect "NODATA with SOA" "NOERROR qr aa
$SOA_NEG" "$(ans static.$E MX)"

expect "empty non-terminal is NODATA" "NOERROR qr aa
$SOA_NEG" "$(ans ent.sub.$E A)"

expect "below an empty non-terminal is NXDOMAIN" "NXDOMAIN qr aa
$SOA_NEG" "$(ans x.ent.sub.$E A)"

expect "MX with additional addresses" "NOERROR qr aa
AN $E. 3600 IN MX 10 mail.$E.
AN $E. 3600 IN MX 20 mail2.example.net.
AR mail.$E. 3600 IN A 192.0.2.25
AR mail.$E. 3600 IN AAAA 2001:db8::25" "$(ans $E MX)"

expect "NS with additional addresses" "NOERROR qr aa
AN $E. 3600 IN NS ns1.$E.
AN $E. 3600 IN NS ns2.$E.
AR ns1.$E. 3600 IN A 192.0.2.53
AR ns1.$E. 3600 IN AAAA 2001:db8::53
AR ns2.$E. 3600 IN A 192.0.2.54" "$(ans $E NS)"

expect "SRV with additional addresses" "NOERROR qr aa
AN _sip._tcp.$E. 3600 IN SRV 10 60 5060 mail.$E.
AR mail.$E. 3600 IN A 192.0.2.25
AR mail.$E. 3600 IN AAAA 2001:db8::25" "$(ans _sip._tcp.$E SRV)"

expect "CNAME chased in zone" "NOERROR qr aa
AN alias.$E. 3600 IN CNAME static.$E.
AN static.$E. 3600 IN A 192.0.2.80" "$(ans alias.$E A)"

expect "CNAME chain" "NOERROR qr aa
AN chain1.$E. 3600 IN CNAME chain2.$E.
AN chain2.$E. 3600 IN CNAME alias.$E.
AN alias.$E. 3600 IN CNAME static.$E.
AN static.$E. 3600 IN AAAA 2001:db8::80" "$(ans chain1.$E AAAA)"

expect "CNAME asked for itself is not chased" "NOERROR qr aa
AN alias.$E. 3600 IN CNAME static.$E." "$(ans alias.$E CNAME)"

expect "CNAME loop stops" "NOERROR qr aa
AN loop1.$E. 3600 IN CNAME loop2.$E.
AN loop2.$E. 3600 IN CNAME loop1.$E." "$(ans loop1.$E A)"

expect "dangling CNAME is NXDOMAIN (RFC 6604)" "NXDOMAIN qr aa
AN dangling.$E. 3600 IN CNAME nowhere.$E.
$SOA_NEG" "$(ans dangling.$E A)"

expect "CNAME out of zone is not chased" "NOERROR qr aa
AN outside.$E. 3600 IN CNAME www.example.net." "$(ans outside.$E A)"

expect "wildcard" "NOERROR qr aa
AN x.wild.$E. 3600 IN TXT \"wildcard\"" "$(ans x.wild.$E TXT)"

expect "wildcard, several labels" "NOERROR qr aa
AN a.b.wild.$E. 3600 IN A 192.0.2.99" "$(ans a.b.wild.$E A)"

expect "wildcard NODATA" "NOERROR qr aa
$SOA_NEG" "$(ans x.wild.$E MX)"

expect "wildcard CNAME chased" "NOERROR qr aa
AN foo.cwild.$E. 3600 IN CNAME static.$E.
AN static.$E. 3600 IN A 192.0.2.80" "$(ans foo.cwild.$E A)"

expect "DNAME synthesis" "NOERROR qr aa
AN legacy.$E. 3600 IN DNAME example.net.
AN x.legacy.$E. 3600 IN CNAME x.example.net." "$(ans x.legacy.$E A)"

expect "DNAME owner itself" "NOERROR qr aa
AN legacy.$E. 3600 IN DNAME example.net." "$(ans legacy.$E DNAME)"

expect "referral with glue, AA clear" "NOERROR qr
NS child.$E. 3600 IN NS ns.child.$E.
NS child.$E. 3600 IN NS ns.other.example.net.
AR ns.child.$E. 3600 IN A 192.0.2.200" "$(ans www.child.$E A)"

expect "referral at the cut" "NOERROR qr
NS child.$E. 3600 IN NS ns.child.$E.
NS child.$E. 3600 IN NS ns.other.example.net.
AR ns.child.$E. 3600 IN A 192.0.2.200" "$(ans child.$E NS)"

expect "DS at the cut is the parent's (NODATA)" "NOERROR qr aa
$SOA_NEG" "$(ans child.$E DS)"

expect "outside every zone: REFUSED" "REFUSED qr" "$(ans www.example.org A)"

expect "PTR" "NOERROR qr aa
AN 1.2.0.192.in-addr.$E. 3600 IN PTR static.$E." "$(ans 1.2.0.192.in-addr.$E PTR)"

expect "CAA" "NOERROR qr aa
AN $E. 3600 IN CAA 0 issue \"letsencrypt.org\"" "$(ans $E CAA)"

expect "TXT with several strings" "AN texts.$E. 3600 IN TXT \"another\"
AN texts.$E. 3600 IN TXT \"first string\" \"second string\"
NOERROR qr aa" "$(ans texts.$E TXT | LC_ALL=C sort)"

expect "unknown type (RFC 3597)" "NOERROR qr aa
AN unknown.$E. 3600 IN TYPE65280 \\# 4 0A000001" "$(ans unknown.$E TYPE65280)"

any=$(ans $E ANY +notcp)
check "ANY over UDP answers one RRset (RFC 8482)" [ "$(echo "$any" | grep -c '^AN')" -eq 1 ]
any=$(ans $E ANY +tcp)
check "ANY over TCP answers every RRset" [ "$(echo "$any" | grep -c '^AN')" -eq 9 ]

# EDNS
out=$(d +dnssec static.$E A)
contains "DO bit echoed" "flags: do;" "$out"
out=$(d +nsid static.$E A)
contains "NSID carries the node name" 'NSID: 6e 73 31 ("ns1")' "$out"
out=$(d +edns=1 +noednsneg static.$E A)
contains "EDNS version 1 gets BADVERS" "status: BADVERS" "$out"
contains "BADVERS answer carries OPT version 0" "EDNS: version: 0" "$out"
out=$(d +ednsflags=0x7f +ednsopt=65001:abcd static.$E A)
contains "unknown EDNS flags cleared, unknown option ignored" "EDNS: version: 0, flags:; udp: 1232" "$out"
out=$(d +bufsize=4096 static.$E A)
contains "payload advertised is ours (1232)" "udp: 1232" "$out"

# Truncation: 'big' TXT is ~800 bytes.
expect "TC=1 without EDNS when the answer does not fit 512" "NOERROR qr aa tc" "$(ans big.$E TXT +noedns +ignore)"
expect "fits with EDNS 1232" "3" "$(ans big.$E TXT | grep -c '^AN')"
expect "TC=1 with EDNS 512" "NOERROR qr aa tc" "$(ans big.$E TXT +bufsize=512 +ignore | head -1)"
expect "dig retries over TCP after TC" "3" "$(ans big.$E TXT +noedns | grep -c '^AN')"

# CHAOS
expect "id.server CH TXT" '"ns1"' "$(d +short id.server CH TXT)"

# kdig, over UDP and TCP, with and without EDNS
out=$(kdig +norec @127.0.0.1 -p "$PORT" static.$E A)
contains "kdig UDP status" "status: NOERROR" "$out"
contains "kdig UDP answer" "192.0.2.80" "$out"
contains "kdig UDP flags" "Flags: qr aa;" "$out"
out=$(kdig +tcp +noedns @127.0.0.1 -p "$PORT" nothing.$E A)
contains "kdig TCP NXDOMAIN" "status: NXDOMAIN" "$out"
contains "kdig TCP SOA in authority" "hostmaster.$E." "$out"
out=$(kdig +nsid @127.0.0.1 -p "$PORT" $E SOA)
contains "kdig NSID" 'NSID: 6E7331 "ns1"' "$out"

# drill, over UDP and TCP
out=$(drill -p "$PORT" alias.$E A @127.0.0.1)
contains "drill UDP status" "rcode: NOERROR" "$out"
contains "drill CNAME" "static.$E." "$out"
contains "drill flags" "flags: qr aa" "$out"
out=$(drill -t -p "$PORT" www.child.$E A @127.0.0.1)
contains "drill TCP referral" "ns.child.$E." "$out"
out=$(drill -p "$PORT" nothing.$E AAAA @127.0.0.1)
contains "drill NXDOMAIN" "rcode: NXDOMAIN" "$out"

# IPv6 listener
stop_ns
start_ns "$top_srcdir/zones/example.conf" ::1
out=$(dig +norec +short @::1 -p "$PORT" static.$E AAAA)
expect "answers on ::1" "2001:db8::80" "$out"
stop_ns
finish
