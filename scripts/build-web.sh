#!/bin/sh
# Builds the browser app (web/ → web/dist, which the server serves) when any of its sources
# is newer than the build, or when there is no build. Used by setup.sh (npm start, npm test)
# and by the browser tests.
set -eu
cd "$(dirname "$0")/.."
if [ ! -f web/dist/index.html ] || [ -n "$(find web/index.html web/vite.config.ts web/tsconfig.json web/src src/auth/permissions.ts src/auth/roles.ts package-lock.json -newer web/dist/index.html -print -quit)" ]; then
  echo "slipway setup: building the web UI" >&2
  node_modules/.bin/vite build web --logLevel warn >&2
  # vite keeps index.html's mtime when its content did not change; the check above needs it fresh.
  touch web/dist/index.html
fi
