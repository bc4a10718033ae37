#!/bin/sh
# Starts the site with busybox httpd on a free port and checks what it serves.
set -eu
root=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$root"' EXIT
cp -r www/. "$root/"
echo test-build > "$root/up"
port=$((20000 + $$ % 20000))
busybox httpd -f -p "127.0.0.1:$port" -h "$root" & pid=$!
i=0
until body=$(busybox wget -q -O - "http://127.0.0.1:$port/" 2>/dev/null); do
  i=$((i + 1)); [ $i -lt 50 ] || { echo "server did not start"; exit 1; }
  sleep 0.1
done
echo "$body" | grep -q "Hello from Slipway" || { echo "FAIL: index page lacks the greeting"; exit 1; }
[ "$(busybox wget -q -O - "http://127.0.0.1:$port/up")" = test-build ] || { echo "FAIL: /up does not answer the build id"; exit 1; }
echo "ok: index and /up"
