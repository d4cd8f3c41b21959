#!/bin/sh
# Bad configurations and zones are refused with file, line and reason, both
# at start (exit 1, nothing listening) and by --check-config; $INCLUDE with
# origins; the command line (-a, -p, -V, bad options) behaves like NSD's.
. "$(dirname "$0")/lib.sh"
need dig

E=example.test
cp "$top_srcdir/zones/example.test.zone" "$T/$E.zone"

# tcp_listening PORT [ADDR]: something accepts TCP connections there.
tcp_listening() {
	"$RAWQ" idle "${2:-127.0.0.1}" "$1" 0 >/dev/null 2>&1
	[ $? -ne 2 ]
}
not() { ! "$@"; }

# refused WHAT EXPECTED [EXPECTED...]: $T/bad.conf must be refused by
# --check-config and at start with exit 1 and every EXPECTED text in the
# message, and nothing may listen afterwards.
refused() {
	case_name=$1
	shift
	out=$("$LEVELNSD" -c "$T/bad.conf" --check-config 2>&1)
	rc=$?
	check "$case_name: --check-config exits 1 (got $rc)" [ "$rc" -eq 1 ]
	for want in "$@"; do
		contains "$case_name: --check-config message" "$want" "$out"
	done
	port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
	while tcp_listening "$port"; do
		port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
	done
	"$LEVELNSD" -c "$T/bad.conf" -f -a "127.0.0.1@$port" --http none 2>"$T/start.log" &
	pid=$!
	# it should exit at once; if it starts serving instead, stop it
	n=0
	while kill -0 "$pid" 2>/dev/null && [ $n -lt 300 ] && ! grep -q "ready:" "$T/start.log"; do
		sleep 0.1
		n=$((n + 1))
	done
	listening=no
	if kill -0 "$pid" 2>/dev/null; then
		tcp_listening "$port" && listening=yes
		kill "$pid"
	fi
	wait "$pid"
	rc=$?
	tcp_listening "$port" && listening=yes
	out=$(cat "$T/start.log")
	check "$case_name: start exits 1 (got $rc)" [ "$rc" -eq 1 ]
	for want in "$@"; do
		contains "$case_name: message at start" "$want" "$out"
	done
	check "$case_name: nothing listening after a refused start" [ "$listening" = no ]
}

# conf WHAT EXPECTED... (config text on stdin)
conf() {
	cat >"$T/bad.conf"
	refused "$@"
}

# zone WHAT EXPECTED...: example.test from $T/z.zone, which the caller wrote.
zone() {
	printf 'zones = ( { name = "%s"; file = "z.zone"; } );\n' "$E" >"$T/bad.conf"
	refused "$@"
}

C="$T/bad.conf"
Z="$T/z.zone"

# --- bad configurations ---
head -c 48 /dev/urandom | base64 >"$T/cluster.key"
conf "election timeout inside the lease" "$C:2: cluster.election_timeout_ms 600 must exceed 958 ms" <<'EOF'
cluster = { key_file = "cluster.key"; heartbeat_ms = 300;
  election_timeout_ms = 600;
  nodes = ( { name = "ns1"; address = "127.0.0.11@5300"; } ); };
EOF
# A slower heartbeat without an election timeout: 4 heartbeats by default.
cat >"$T/slow-hb.conf" <<'EOF'
server: { node = "ns1"; };
cluster = { key_file = "cluster.key"; heartbeat_ms = 300; state_dir = "state";
  nodes = ( { name = "ns1"; address = "127.0.0.11@5300"; } ); };
EOF
out=$("$LEVELNSD" -c "$T/slow-hb.conf" --check-config 2>&1)
contains "heartbeat_ms 300 alone is accepted" "ok, 0 zones" "$out"
conf "config syntax error" "$C:3: syntax error" <<'EOF'
server: {
  node = "ns1";
  workers = ;
};
EOF
conf "unknown key" "$C:3: unknown key 'nodes' in server" <<'EOF'
server: {
  node = "ns1";
  nodes = "ns2";
};
EOF
conf "unknown top-level key" "$C:2: unknown key 'servers' in the top level" <<'EOF'
# a typo
servers: { node = "ns1"; };
EOF
conf "unknown zone key" "$C:3: unknown key 'master' in zone" <<EOF
zones = (
  { name = "$E"; file = "$E.zone";
    master = "192.0.2.1"; }
);
EOF
conf "wrong type" "$C:2: workers must be a whole number" <<'EOF'
server: {
  workers = "two";
};
EOF
conf "wrong type (bool)" "$C:3: nsid must be true or false" <<'EOF'
server: {
  node = "ns1";
  nsid = 1;
};
EOF
conf "out of range" "$C:2: udp_payload is out of range (512 to 4096)" <<'EOF'
server: {
  udp_payload = 100;
};
EOF
conf "out of range (tcp_max_connections)" "$C:1: tcp_max_connections is out of range" <<'EOF'
server: { tcp_max_connections = 0; };
EOF
conf "bad log level" "$C:1: log_level 'loud' is not one of" <<'EOF'
server: { log_level = "loud"; };
EOF
conf "bad listen address" "$C:3: listen: bad address 'ns1.example.test'" <<'EOF'
server: {
  listen = [ "127.0.0.1@5353",
             "ns1.example.test" ];
};
EOF
conf "bad listen port" "$C:2: listen: bad port in '127.0.0.1@99999'" <<'EOF'
server: {
  listen = [ "127.0.0.1@99999" ];
};
EOF
conf "duplicate zone" "$C:3: zone 'EXAMPLE.test.' is defined twice" <<EOF
zones = (
  { name = "$E"; file = "$E.zone"; },
  { name = "EXAMPLE.test."; file = "$E.zone"; }
);
EOF
conf "zone without a file" "$C:3: zone '$E' needs a file" <<EOF
zones = (
  { name = "$E"; file = "$E.zone"; },
  { name = "$E"; }
);
EOF
conf "zone file that does not exist" "$T/nothere.zone" "No such file or directory" <<EOF
zones = (
  { name = "$E";
    file = "nothere.zone"; }
);
EOF
conf "bad allow_transfer" "$C:2: zone '$E': allow_transfer: bad address or prefix '10.0.0.300'" <<EOF
zones = (
  { name = "$E"; file = "$E.zone"; allow_transfer = [ "10.0.0.300" ]; }
);
EOF
conf "bad zone name" "$C:1: bad zone name 'exa..mple'" <<EOF
zones = ( { name = "exa..mple"; file = "$E.zone"; } );
EOF
rm -f "$C"
refused "configuration file that does not exist" "$C: cannot read the file"

# --- bad zones ---
# A syntax error after the multi-line SOA: the line counts every line.
sed '29a broken   IN IN IN' "$T/$E.zone" >"$Z"
zone "zone syntax error at line 30" "$Z:30: " "Syntax error"
sed '12a \                MX    ten mail' "$T/$E.zone" >"$Z"
zone "zone syntax error at line 13" "$Z:13: " "Syntax error"
H='$ORIGIN example.test.
$TTL 300
@     SOA ns1 hostmaster 1 7200 3600 1209600 300
      NS  ns1
ns1   A   192.0.2.53'
printf '%s\n' "$H" 'www   A   192.0.2.999' >"$Z"
zone "bad rdata" "$Z:6: " "could not parse the RR's rdata"
printf '%s\n' "$H" 'www   BOGUS  1' >"$Z"
zone "unknown type" "$Z:6: " "Syntax error"
printf '%s\n' "$H" 'www   CH  TXT "x"' >"$Z"
zone "class other than IN" "$Z:6: only class IN is served"
printf '%s\n' "$H" 'www.example.org.   A   192.0.2.1' >"$Z"
zone "owner outside the zone" "$Z:6: www.example.org. is outside the zone example.test."
printf '%s\n' "$H" 'www   CNAME ns1' 'www   A   192.0.2.1' >"$Z"
zone "CNAME and other data" "$Z" "www.example.test. has a CNAME and other data"
printf '%s\n' "$H" | sed 3d >"$Z"
zone "no SOA" "$Z" "zone example.test. needs exactly one SOA record at its apex"
printf '%s\n' "$H" '@     SOA ns2 hostmaster 2 7200 3600 1209600 300' >"$Z"
zone "two SOAs" "$Z" "zone example.test. needs exactly one SOA record at its apex"
printf '%s\n' "$H" | sed 4d >"$Z"
zone "no NS" "$Z" "zone example.test. has no NS records at its apex"
# An unclosed "(" must not swallow the lines after it into one record.
printf '%s\n' "$H" 'www   TXT ( "unclosed"' 'mail  A   192.0.2.25' >"$Z"
zone "unbalanced parenthesis" "$Z:6: "
# An error in an included file names that file and its line; a missing
# included file names the $INCLUDE line that asked for it.
mkdir "$T/inc"
printf 'www   A   192.0.2.80\nmail  A   192.0.2.999\n' >"$T/inc/bad.inc"
printf '%s\n' "$H" '$INCLUDE inc/bad.inc' >"$Z"
zone "error in an included file" "$T/inc/bad.inc:2: " "rdata"
printf '%s\n' "$H" '$INCLUDE inc/nothere.inc' >"$Z"
zone "\$INCLUDE of a missing file" "$Z:6: " "$T/inc/nothere.inc" "No such file or directory"

# --- good files ---
out=$("$LEVELNSD" -c "$top_srcdir/zones/example.conf" --check-config 2>&1)
expect "--check-config on the example" "levelnsd: $top_srcdir/zones/example.conf: ok, 1 zones, 39 records, 0 pools" "$out"

# --- the command line ---
EX="$top_srcdir/zones/example.conf"
answers() { [ "$(dig +norec +tries=2 +time=5 "$@" +short static.$E A)" = "192.0.2.80" ]; }

start_ns_args "$EX" -a 127.0.0.1@PORT -a 127.0.0.2@PORT
contains "-a twice: both addresses in the ready line" "on 127.0.0.1@$PORT, 127.0.0.2@$PORT (udp, tcp)" "$(cat "$T/ns.log")"
check "-a twice: 127.0.0.1 answers over UDP" answers @127.0.0.1 -p "$PORT"
check "-a twice: 127.0.0.2 answers over UDP" answers @127.0.0.2 -p "$PORT"
check "-a twice: 127.0.0.1 answers over TCP" answers +tcp @127.0.0.1 -p "$PORT"
check "-a twice: 127.0.0.2 answers over TCP" answers +tcp @127.0.0.2 -p "$PORT"
check "-a twice: not on 127.0.0.3" not tcp_listening "$PORT" 127.0.0.3
stop_ns

start_ns_args "$EX" -p PORT
contains "-p replaces the configured port" "on 127.0.0.1@$PORT (udp, tcp)" "$(cat "$T/ns.log")"
check "-p: the configured address answers on the new port" answers @127.0.0.1 -p "$PORT"
check "-p: TCP too" answers +tcp @127.0.0.1 -p "$PORT"
stop_ns

start_ns_args "$EX" -a 127.0.0.2 -p PORT
contains "-a without a port takes -p's" "on 127.0.0.2@$PORT (udp, tcp)" "$(cat "$T/ns.log")"
check "-a ADDR -p PORT: answers there" answers @127.0.0.2 -p "$PORT"
check "-a replaces the configured address" not tcp_listening "$PORT" 127.0.0.1
stop_ns

out=$("$LEVELNSD" -V 2>&1)
rc=$?
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
expect "-V prints the version first" "levelnsd $version" "$(echo "$out" | head -n 1)"
check "-V exits 0" [ "$rc" -eq 0 ]
out=$("$LEVELNSD" -h 2>/dev/null)
rc=$?
contains "-h prints the usage on stdout" "usage: levelnsd" "$out"
check "-h exits 0" [ "$rc" -eq 0 ]
for bad in --bogus -x "-c $EX extra"; do
	# shellcheck disable=SC2086
	out=$("$LEVELNSD" $bad 2>&1 >/dev/null)
	rc=$?
	check "'$bad' exits 2 (got $rc)" [ "$rc" -eq 2 ]
	contains "'$bad' prints the usage on stderr" "usage: levelnsd" "$out"
done
out=$("$LEVELNSD" -c "$EX" -p 70000 --check-config 2>&1)
rc=$?
check "-p 70000 exits 2 (got $rc)" [ "$rc" -eq 2 ]
contains "-p 70000 says why" "-p needs a port number" "$out"
out=$("$LEVELNSD" -c "$EX" -a 300.1.2.3 --check-config 2>&1)
rc=$?
check "-a 300.1.2.3 is refused (got $rc)" [ "$rc" -ne 0 ]
contains "-a 300.1.2.3 says why" "bad address '300.1.2.3'" "$out"

# --- rate limiting and TCP limits (rrl group, server.tcp_*) ---
conf "rrl: unknown key" "$C:2: unknown key 'burst' in rrl" <<'EOF'
rrl = { rate = 100;
  burst = 5; };
EOF
conf "rrl: not a group" "$C:1: rrl must be a group" <<'EOF'
rrl = 5;
EOF
conf "rrl.rate: zero" "$C:1: rrl.rate is out of range (1 to 1000000)" <<'EOF'
rrl = { rate = 0; };
EOF
conf "rrl.rate: a string" "$C:1: rrl.rate must be a whole number" <<'EOF'
rrl = { rate = "fast"; };
EOF
conf "rrl.slip: too big" "$C:2: rrl.slip is out of range (0 to 100)" <<'EOF'
rrl = {
  slip = 101; };
EOF
conf "rrl.window: zero" "$C:1: rrl.window is out of range (1 to 3600)" <<'EOF'
rrl = { window = 0; };
EOF
conf "rrl.ipv4_prefix: 33" "$C:1: rrl.ipv4_prefix is out of range (8 to 32)" <<'EOF'
rrl = { ipv4_prefix = 33; };
EOF
conf "rrl.ipv6_prefix: 8" "$C:1: rrl.ipv6_prefix is out of range (16 to 128)" <<'EOF'
rrl = { ipv6_prefix = 8; };
EOF
conf "rrl.table_size: too small" "$C:1: rrl.table_size is out of range (1024 to 16777216)" <<'EOF'
rrl = { table_size = 10; };
EOF
conf "rrl.enabled: not a bool" "$C:1: rrl.enabled must be true or false" <<'EOF'
rrl = { enabled = "yes"; };
EOF
conf "rrl.allow: a bad prefix" "$C:3: rrl.allow: bad address or prefix '192.0.2.0/33'" <<'EOF'
rrl = { allow = [
  "127.0.0.0/8",
  "192.0.2.0/33" ]; };
EOF
conf "rrl.allow: not a list" "$C:1: rrl.allow must be a list" <<'EOF'
rrl = { allow = "127.0.0.1"; };
EOF
conf "rrl.allow: not strings" "$C:1: rrl.allow: entries must be strings" <<'EOF'
rrl = { allow = [ 127 ]; };
EOF
conf "server.tcp_max_per_source: above the total" \
	"$C:1: server.tcp_max_per_source (300) is above server.tcp_max_connections (256)" <<'EOF'
server: { tcp_max_per_source = 300; };
EOF
conf "server.tcp_read_timeout_ms: too short" "$C:2: server.tcp_read_timeout_ms is out of range (100 to 3600000)" <<'EOF'
server: {
  tcp_read_timeout_ms = 10; };
EOF
conf "server.tcp_max_queries: negative" "$C:1: server.tcp_max_queries is out of range (0 to 1000000)" <<'EOF'
server: { tcp_max_queries = -1; };
EOF
cat >"$T/limits.conf" <<EOF
zones = ( { name = "$E"; file = "$E.zone"; } );
rrl = { enabled = false; rate = 1000000; slip = 0; window = 3600; ipv4_prefix = 32; ipv6_prefix = 128;
        allow = [ ]; table_size = 16777216; };
server: { tcp_max_connections = 1000; tcp_max_per_source = 0; tcp_read_timeout_ms = 3600000; tcp_max_queries = 0; };
EOF
out=$("$LEVELNSD" -c "$T/limits.conf" --check-config 2>&1)
contains "every limit key at an end of its range: accepted" ": ok, 1 zones" "$out"

# --- $INCLUDE in subdirectories, nested, with origin arguments ---
# Last, since start_ns ends the test if the daemon does not start.
INC="$top_srcdir/tests/data/include.conf"
out=$("$LEVELNSD" -c "$INC" --check-config 2>&1)
expect "--check-config with nested \$INCLUDEs" "levelnsd: $INC: ok, 1 zones, 10 records, 0 pools" "$out"
start_ns "$INC"
expect "\$INCLUDE with a relative origin" "192.0.2.10" "$(d +short www.hosts.inc.test A)"
expect "\$INCLUDE with an absolute origin" "192.0.2.10" "$(d +short www.other.inc.test A)"
expect "nested \$INCLUDE: relative to the including file, origin relative to the current one" \
	"10 mx.mail.hosts.inc.test." "$(d +short mail.hosts.inc.test MX)"
expect "nested \$INCLUDE in the second copy" "192.0.2.25" "$(d +short mx.mail.other.inc.test A)"
expect "after \$INCLUDE the origin is the parent's again" "192.0.2.9" "$(d +short after.inc.test A)"
expect "no name leaks under the wrong origin" "NXDOMAIN" \
	"$(d www.inc.test A | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')"
stop_ns
# Under systemd, stderr is the journal's stream: lines carry their syslog
# priority ("<3>" for errors) instead of a time stamp.
: >"$T/journal.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/journal.log") "$LEVELNSD" -c "$top_srcdir/zones/example.conf" -f \
	-a 192.0.2.1@53 --http none 2>>"$T/journal.log"
out=$(cat "$T/journal.log")
contains "journal stream: an error line starts with <3>" "<3>levelnsd: cannot listen" "$out"
# Elsewhere the time stamp and level name stay.
"$LEVELNSD" -c "$top_srcdir/zones/example.conf" -f -a 192.0.2.1@53 --http none 2>"$T/plain.log"
contains "stderr: the level named" "[error] levelnsd: cannot listen" "$(cat "$T/plain.log")"

finish
