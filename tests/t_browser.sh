#!/bin/sh
# The dashboard in a real browser: levelnsd with two backends and a token
# file, driven in headless Chromium by tests/browser/dashboard.mjs
# (playwright-core, pinned by tests/browser/package-lock.json and installed
# with npm ci into the build tree). It sees a member go down and come back,
# drains and undrains one through the buttons, checks the phone layout and
# the offline banner, and saves screenshots in tests/out/browser/.
. "$(dirname "$0")/lib.sh"
need node curl
CHROMIUM=${LNS_CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "SKIP: $CHROMIUM is not installed (apt-get install chromium)"; exit 77; }

# playwright-core where the build tree can write: a copy of tests/browser/,
# installed again whenever the lockfile changes.
src="$top_srcdir/tests/browser"
pw="$top_builddir/tests/browser"
if [ "$(cd "$src" && pwd)" != "$(mkdir -p "$pw" && cd "$pw" && pwd)" ]; then
	cp "$src/package.json" "$src/package-lock.json" "$src/dashboard.mjs" "$pw/"
fi
if ! cmp -s "$pw/package-lock.json" "$pw/node_modules/.levelns-lock" 2>/dev/null; then
	command -v npm >/dev/null 2>&1 || { echo "FAIL: npm is needed to install playwright-core (apt-get install npm)"; exit 1; }
	echo "installing playwright-core with npm ci in $pw"
	(cd "$pw" && npm ci --no-audit --no-fund --loglevel=error) || { echo "FAIL: npm ci in $pw"; exit 1; }
	cp "$pw/package-lock.json" "$pw/node_modules/.levelns-lock"
fi

echo "node $(node --version), $("$CHROMIUM" --version 2>/dev/null)"
start_backend a 127.0.0.2
start_backend b 127.0.0.3
cp "$top_srcdir/zones/example.test.zone" "$T/"
TOKEN="browser-test-token-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
echo "$TOKEN" >"$T/admin.token"
chmod 600 "$T/admin.token"
cat >"$T/browser.conf" <<CONF
server: { node = "ns1"; workers = 1; };
http = { token_file = "admin.token"; };
zones = ( { name = "example.test"; file = "example.test.zone"; } );
pools = (
  { name = "www.example.test"; policy = "failover"; ttl = 5;
    probe = { type = "http"; path = "/health"; };
    members = ( { name = "a"; address = "127.0.0.2@$a_http"; priority = 100; },
                { name = "b"; address = "127.0.0.3@$b_http"; priority = 50; } ); },
  { name = "api.example.test"; policy = "round-robin"; answers = 2; ttl = 5;
    probe = { type = "tcp"; };
    members = ( { name = "a"; address = "127.0.0.2@$a_tcp"; },
                { name = "b"; address = "127.0.0.3@$b_tcp"; } ); }
);
CONF
start_ns "$T/browser.conf"
check "the dashboard is served" sh -c "curl -sf http://127.0.0.1:$HTTP_PORT/ | grep -q '<title>levelns'"
# Every file of web/static/ is built in (web/assets.mk lists them), with its type.
for f in "$top_srcdir"/web/static/*; do
	name=${f##*/}
	case $name in
	*.html) type='text/html; charset=utf-8' ;;
	*.js) type='text/javascript; charset=utf-8' ;;
	*.css) type='text/css; charset=utf-8' ;;
	*.svg) type='image/svg+xml' ;;
	*) type=unexpected ;;
	esac
	got=$(curl -s -o "$T/asset" -w '%{http_code} %{content_type}' "http://127.0.0.1:$HTTP_PORT/$name")
	expect "/$name is served as $type" "200 $type" "$got"
	check "/$name is the file" cmp -s "$f" "$T/asset"
done
expect "an unknown file: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/nope.js")"

out="$top_builddir/tests/out/browser"
LNS_URL="http://127.0.0.1:$HTTP_PORT/" LNS_TOKEN="$TOKEN" LNS_BACKEND="$top_builddir/tests/backend" \
	LNS_A_CTL="$a_ctl" LNS_NS_PID="$NS_PID" LNS_OUT="$out" LNS_CHROMIUM="$CHROMIUM" LNS_CONF="$T/browser.conf" \
	node "$pw/dashboard.mjs"
rc=$?
kill -CONT "$NS_PID" 2>/dev/null # if the script died while levelnsd was stopped
check "the browser test passes" [ "$rc" -eq 0 ]
check "a desktop screenshot" [ -s "$out/dashboard-desktop.png" ]
check "a phone screenshot" [ -s "$out/dashboard-phone.png" ]

stop_ns
stop_backends
finish
