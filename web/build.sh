#!/usr/bin/env bash
# Builds the clerk's page (jianbao serve) from web/ into assets/web/:
# index.html, app.js (CodeMirror 6 and the page's modules, one minified ES
# module) and app.css, and assets/web/STAMP, the sha256 of every source and
# of every file written, which tests/web_bundle.rs checks on every `cargo
# test` (and, where npm is installed, rebuilds and compares byte for byte).
#
#   web/build.sh            # writes assets/web/
#   web/build.sh DIR        # writes DIR instead (the test's rebuild)
#
# Needs node and npm (Debian: apt-get install nodejs npm); the packages and
# their versions are those of web/package-lock.json (npm ci).
set -euo pipefail
web="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$web")"
out="${1:-$repo/assets/web}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$web"
npm ci --no-audit --no-fund --loglevel=error >/dev/null
esbuild=(node_modules/.bin/esbuild --log-level=warning --charset=utf8 --minify)
# One module with everything; no source map and no paths of this machine
# in it, so the bytes depend only on the sources and the lockfile.
"${esbuild[@]}" app.js --bundle --format=esm --target=es2020 --legal-comments=eof --outfile="$out/app.js"
# The stylesheet as written, minified; its url(../fonts/…) stay the
# server's routes.
"${esbuild[@]}" app.css --outfile="$out/app.css"
cp index.html "$out/index.html"
# Sources first, then what they made: sha256sum's format, repo paths.
(
  cd "$repo"
  sha256sum web/build.sh web/package.json web/package-lock.json web/index.html web/app.js web/app.css $(ls web/src/*.js | LC_ALL=C sort)
  cd "$out"
  sha256sum index.html app.js app.css | sed 's#  #  assets/web/#'
) >"$out/STAMP"
