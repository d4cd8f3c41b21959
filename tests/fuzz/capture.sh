#!/bin/sh
# tests/fuzz/capture.sh [CORPUS_DIR]: records the DNS seed corpus of
# fuzz_dns_udp and fuzz_dns_tcp from real clients, and with LEVELNSD set
# (a built levelnsd) the DNS answers of fuzz_probe from levelnsd itself. A small listener on
# 127.0.0.1 (python3) saves every UDP datagram and every TCP stream it
# receives, as sent, and answers each query with an empty response so that
# the client goes on; dig, kdig and drill then ask their usual queries
# (types, EDNS, DO, NSID, client subnet, cookies, padding, CHAOS, IXFR,
# AXFR, several queries on one TCP connection). The packets of
# tests/t_malformed.sh are added as they are written there.
# Run by hand when the clients change; the result is committed.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/tests/fuzz/corpus}
for t in python3 dig kdig drill; do
	command -v $t >/dev/null || { echo "capture: $t is missing" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/levelns-capture.XXXXXX")
trap 'kill $srv 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$out/dns_udp" "$out/dns_tcp"

cat >"$tmp/listen.py" <<'EOF'
import os, socket, sys, threading
d = sys.argv[1]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(("127.0.0.1", u.getsockname()[1])); t.listen(8)
n = [0]
def save(kind, data):
    n[0] += 1
    p = os.path.join(d, "%s-%04d" % (kind, n[0]))
    with open(p + ".part", "wb") as f: f.write(data)
    os.rename(p + ".part", p)
def reply(q):
    # The question echoed with QR set and no records: enough for the client.
    if len(q) < 12: return None
    i = 12
    if q[4:6] != b"\x00\x01": return q[:2] + bytes([q[2] | 0x80, 0]) + b"\0" * 8
    while i < len(q) and q[i] != 0 and q[i] < 64: i += 1 + q[i]
    i += 5
    return q[:2] + bytes([q[2] | 0x84, 0]) + b"\x00\x01" + b"\0" * 6 + q[12:i]
def tcp(c):
    data = b""; buf = b""
    while True:
        x = c.recv(65536)
        if not x: break
        data += x; buf += x
        while len(buf) >= 2 and len(buf) - 2 >= int.from_bytes(buf[:2], "big"):
            m = buf[2:2 + int.from_bytes(buf[:2], "big")]; buf = buf[2 + len(m):]
            r = reply(m)
            if r: c.sendall(len(r).to_bytes(2, "big") + r)
    c.close(); save("tcp", data)
threading.Thread(target=lambda: [tcp(t.accept()[0]) for _ in iter(int, 1)], daemon=True).start()
print(u.getsockname()[1], flush=True)
while True:
    q, a = u.recvfrom(65536); save("udp", q)
    r = reply(q)
    if r: u.sendto(r, a)
EOF
python3 "$tmp/listen.py" "$tmp" >"$tmp/port" &
srv=$!
while [ ! -s "$tmp/port" ]; do sleep 0.1; done
P=$(cat "$tmp/port")

# take KIND NAME CMD...: runs the client, files what the listener saved.
take() {
	kind=$1 name=$2
	shift 2
	"$@" >/dev/null 2>&1 || true
	sleep 0.3
	i=0
	for f in "$tmp/$kind"-*; do
		[ -f "$f" ] || continue
		i=$((i + 1))
		suffix=; [ $i -gt 1 ] && suffix=-$i
		mv "$f" "$out/dns_$kind/$name$suffix"
	done
	rm -f "$tmp"/udp-* "$tmp"/tcp-*
}
D="dig @127.0.0.1 -p $P +tries=1 +timeout=2"
K="kdig @127.0.0.1 -p $P +retry=0 +timeout=2"
take udp dig-a $D www.example.test A
take udp dig-noedns $D +noedns static.example.test A
take udp dig-aaaa-mixed-case $D StAtIc.ExAmPlE.tEsT AAAA
take udp dig-mx $D example.test MX
take udp dig-txt-wild $D x.wild.example.test TXT
take udp dig-srv $D _sip._tcp.example.test SRV
take udp dig-soa-do $D +dnssec example.test SOA
take udp dig-ns-nsid $D +nsid example.test NS
take udp dig-ptr $D 1.2.0.192.in-addr.example.test PTR
take udp dig-dname $D x.legacy.example.test A
take udp dig-cname $D alias.example.test A
take udp dig-type65280 $D unknown.example.test TYPE65280
take udp dig-ecs4 $D +subnet=192.0.2.0/24 near.example.test A
take udp dig-ecs6 $D +subnet=2001:db8:1::/56 near.example.test AAAA
take udp dig-ecs0 $D +subnet=0.0.0.0/0 near.example.test A
take udp dig-bufsize512 $D +bufsize=512 big.example.test TXT
take udp dig-edns1 $D +edns=1 example.test SOA
take udp dig-ednsflags $D +ednsflags=0x7f +ednsopt=65001:abcd example.test SOA
take udp dig-cd-ad $D +cdflag +adflag +norecurse rr.example.test A
take udp dig-chaos-id $D CH TXT id.server
take udp dig-chaos-version $D CH TXT version.bind
take udp dig-ixfr-udp $D +notcp example.test IXFR=2026112800
take udp dig-nx $D nope.example.test A
take udp dig-refused $D www.example.com A
take udp dig-referral $D www.child.example.test A
take udp dig-qtype-opt $D example.test TYPE41
take udp dig-long-name $D lllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll.lllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll.lllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll.example.test A
take udp dig-opcode-notify $D +opcode=notify example.test SOA
take udp dig-opcode-status $D +opcode=status example.test SOA
take udp kdig-a $K www.example.test A
take udp kdig-nsid-padding $K +nsid +padding=64 example.test SOA
take udp kdig-subnet $K +subnet=198.51.100.7/32 near.example.test A
take udp kdig-cookie $K +cookie +dnssec w.other.test A
take udp kdig-bufsize $K +bufsize=4096 huge.example.test TXT
take udp drill-a drill -p "$P" static.example.test @127.0.0.1
take udp drill-do drill -D -p "$P" example.test DNSKEY @127.0.0.1
take udp drill-aaaa drill -p "$P" named.example.test AAAA @127.0.0.1

take tcp dig-tcp-a $D +tcp www.example.test A
take tcp dig-any $D example.test ANY
take tcp dig-class-any $D ANY example.test SOA
take tcp dig-axfr $D example.test AXFR
take tcp dig-axfr-other $D other.test AXFR
take tcp dig-ixfr $D example.test IXFR=2026112800
take tcp dig-keepopen $D +tcp +keepopen static.example.test A alias.example.test A near.example.test AAAA
take tcp kdig-tcp $K +tcp +nsid huge.example.test TXT
take tcp kdig-axfr $K example.test AXFR
take tcp kdig-tcp-subnet $K +tcp +subnet=192.0.2.1/24 near.example.test A
take tcp drill-tcp drill -t -p "$P" example.test MX @127.0.0.1

# Streams no client sends: queries pipelined in one write (a transfer among
# them), and a stream cut inside its second message.
frame() { for f in "$@"; do
	n=$(wc -c <"$out/dns_udp/$f")
	printf "\\$(printf %o $((n >> 8)))\\$(printf %o $((n & 255)))"
	cat "$out/dns_udp/$f"
done; }
frame dig-a kdig-subnet dig-soa-do dig-ixfr-udp dig-chaos-id >"$out/dns_tcp/pipelined"
frame dig-a dig-mx | head -c 70 >"$out/dns_tcp/cut-short"

# The raw packets of tests/t_malformed.sh, as written there.
i=0
sed -n 's/.*\$(raw "\([0-9a-f $QOPT]*\)").*/\1/p' "$top/tests/t_malformed.sh" | while read -r hex; do
	i=$((i + 1))
	Q="06737461746963076578616d706c650474657374000001 0001"
	OPT="00 0029 04d0 00000000 0000"
	eval "h=\"$hex\""
	printf '%s' "$h" | tr -d ' ' | xxd -r -p >"$out/dns_udp/malformed-$i"
done
# DNS answers, as a dns probe reads them: levelnsd serving the example
# zone answers some of the queries just captured.
if [ -n "${LEVELNSD:-}" ]; then
	mkdir -p "$out/probe"
	root=; [ "$(id -u)" -eq 0 ] && root=--allow-root
	"$LEVELNSD" -f -c "$top/zones/example.conf" -a "127.0.0.1@$((P + 1))" --http none $root 2>"$tmp/ns.log" &
	ns=$!
	sleep 1
	for q in dig-a dig-noedns dig-mx dig-txt-wild dig-aaaa-mixed-case dig-cname dig-dname dig-nx dig-refused \
		dig-referral dig-srv dig-chaos-id dig-soa-do malformed-5 malformed-6; do
		python3 - "$out/dns_udp/$q" "$out/probe/dns-answer-$q" "$((P + 1))" <<'EOF2'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.sendto(open(sys.argv[1], "rb").read(), ("127.0.0.1", int(sys.argv[3])))
try: r = s.recv(65535)
except socket.timeout: sys.exit("capture: no answer to " + sys.argv[1])
open(sys.argv[2], "wb").write(r)
EOF2
	done
	kill "$ns"
fi
echo "capture: $(ls "$out/dns_udp" | wc -l) UDP and $(ls "$out/dns_tcp" | wc -l) TCP inputs in $out"
