#!/usr/bin/env bash
# Smoke test of the built artefacts, as a user runs them: `npm run build`, then `node dist/main.js`
# on the embedded store until /readyz answers 200 and a SIGTERM stops it with "stopped" logged,
# and `node dist/cli.js --help`. Prints one "smoke: ok|FAILED <what>" line per check; exits non-zero
# if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=0
check() { if [ "$1" -eq 0 ]; then echo "smoke: ok $2"; else echo "smoke: FAILED $2"; failed=$((failed + 1)); fi; }

npm run --silent build >/tmp/smoke-build.log 2>&1
check $? "npm run build"

data=$(mktemp -d)
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
store=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
PORT=$port EMBEDDED_COUCHDB_PORT=$store DATA_DIR=$data node dist/main.js >"$data/service.log" 2>&1 &
pid=$!
ready=1
for _ in $(seq 1 60); do
  if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "http://127.0.0.1:$port/readyz"; then ready=0; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
check $ready "dist/main.js answers /readyz"
kill -TERM "$pid" 2>/dev/null
wait "$pid"
stopped=$?
check "$stopped" "dist/main.js exits 0 on SIGTERM"
grep -q '"msg":"stopped"' "$data/service.log"
check $? "dist/main.js logs a final \"stopped\" line"
[ "$ready" -eq 0 ] || tail -20 "$data/service.log"
rm -rf "$data"

node dist/cli.js --help >/dev/null 2>&1
check $? "dist/cli.js --help"

exit "$failed"
