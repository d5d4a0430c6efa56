#!/usr/bin/env bash
# API checks (issue 7, items 3 and 6), called by .ci/run:
#   1. the committed OpenAPI document is valid OpenAPI (openapi-spec-validator, pinned);
#   2. a TypeScript client generated from it (openapi-typescript, pinned) type-checks (tsc --strict);
#   3. Schemathesis (pinned) runs every check, stateful links and authorization checks included,
#      against a release build serving the demo data on SQLite. Zero failures, and zero
#      authentication errors (read from each run's JSON report). A schema-valid request may be
#      refused only on the operations openapi/inexpressible-rules.json lists (issue 21): the
#      allowance is generated from that file by .ci/schemathesis/config.py, nothing else.
#   4. That server's /metrics (issue 20), scraped with its token after the runs, is read by
#      Prometheus' own Python parser (prometheus_client, pinned) and counts the requests by
#      route template (.ci/metrics/check.py).
# Python tools live in a virtualenv under $CARGO_TARGET_DIR (outside the clone, kept between runs);
# npm packages come from .ci/ts-client/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

export CARGO_TERM_COLOR=never
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/groupwork-target}"

SCHEMATHESIS_VERSION=4.32.5
OPENAPI_SPEC_VALIDATOR_VERSION=0.9.0
PROMETHEUS_CLIENT_VERSION=0.26.0
venv="$CARGO_TARGET_DIR/ci-venv"
spec="$root/openapi/openapi.json"

started=$SECONDS
step_started=$SECONDS
step() {
  echo "== $*"
  step_started=$SECONDS
}
took() { echo "   ($((SECONDS - step_started))s)"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/groupwork-api-checks.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

for tool in python3 node npm; do
  command -v "$tool" >/dev/null || { echo "!! $tool is needed for the API checks (Python 3.10+ with venv, Node 18+ with npm)" >&2; exit 1; }
done

step "Python tools: schemathesis==$SCHEMATHESIS_VERSION, openapi-spec-validator==$OPENAPI_SPEC_VALIDATOR_VERSION, prometheus_client==$PROMETHEUS_CLIENT_VERSION (venv $venv)"
# Spelled as `pip freeze` prints them, which `installed` compares with.
want=("schemathesis==$SCHEMATHESIS_VERSION" "openapi-spec-validator==$OPENAPI_SPEC_VALIDATOR_VERSION"
  "prometheus_client==$PROMETHEUS_CLIENT_VERSION")
installed() {
  local have w
  have=$("$venv/bin/python" -m pip freeze 2>/dev/null) || return 1
  for w in "${want[@]}"; do
    grep -qixF "$w" <<<"$have" || return 1
  done
}
if ! installed; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  timeout 600 "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${want[@]}"
else
  echo "   already installed"
fi
took

step "openapi-spec-validator openapi/openapi.json"
grep -q '"openapi": "3.1' "$spec" || { echo "!! openapi/openapi.json is not OpenAPI 3.1" >&2; exit 1; }
timeout 120 "$venv/bin/openapi-spec-validator" "$spec"
took

step "TypeScript client: openapi-typescript + tsc --strict (.ci/ts-client)"
ts=.ci/ts-client
timeout 600 npm ci --prefix "$ts" --no-audit --no-fund --loglevel=error
mkdir -p "$ts/generated"
timeout 120 "$ts/node_modules/.bin/openapi-typescript" "$spec" -o "$ts/generated/schema.d.ts"
timeout 300 "$ts/node_modules/.bin/tsc" -p "$ts/tsconfig.json"
took

step "cargo build --release"
timeout 1800 cargo build --release
took

step "groupwork serve --demo (release, fresh SQLite file)"
port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
metrics_token=$("$venv/bin/python" -c 'import secrets; print(secrets.token_hex(24))')
(
  cd "$work"
  # Generous limits: the fuzzer logs in, fails logins and books far faster than any person, and
  # a 429 would hide every other answer. The limits themselves are tested in tests/api/owasp.rs.
  exec env GROUPWORK_DATABASE_URL="$work/api-checks.db" \
    GROUPWORK_BIND="127.0.0.1:$port" \
    GROUPWORK_LOG=info \
    GROUPWORK_LOG_FORMAT=json \
    GROUPWORK_RETENTION_DAILY=false \
    GROUPWORK_LOGIN_ATTEMPTS_PER_ADDRESS=100000 \
    GROUPWORK_LOGIN_FAILURES_PER_ACCOUNT=1000 \
    GROUPWORK_REGISTRATIONS_PER_ADDRESS=100000 \
    GROUPWORK_PASSWORD_RESETS_PER_ADDRESS=100000 \
    GROUPWORK_PASSWORD_RESETS_PER_EMAIL=1000 \
    GROUPWORK_BOOKINGS_PER_MINUTE=10000 \
    GROUPWORK_METRICS_TOKEN="$metrics_token" \
    "$CARGO_TARGET_DIR/release/groupwork" serve --demo >"$work/server.out" 2>"$work/server.err"
) &
server_pid=$!
export GROUPWORK_ST_AUTH="$work/auth.json"
# With JSON logs on standard output, the demo's logins are told on standard error.
if ! timeout 120 "$venv/bin/python" .ci/schemathesis/prepare.py "$base" "$work/server.err" "$GROUPWORK_ST_AUTH" "$work/disposable.json"; then
  tail -n 20 "$work/server.out" "$work/server.err" >&2
  exit 1
fi
# The runs' configuration: the committed settings, the allowance generated from
# openapi/inexpressible-rules.json (and nothing else), and for the destructive run the records
# made for it.
"$venv/bin/python" .ci/schemathesis/config.py .ci/schemathesis/schemathesis.toml \
  openapi/inexpressible-rules.json "$work/disposable.json" "$work/st.toml" "$work/st-destructive.toml"
# The demo families' details, to look for in the logs afterwards (issue 20, item 3).
python3 .ci/log_leaks.py snapshot "$work/api-checks.db" "$work/personal.json"
echo "   $base"
took

# Schemathesis runs from the scratch directory, so its caches never land in the clone. Every
# run goes ahead even when an earlier one failed, so one CI run shows all the findings.
failed=()
runs=0
config="$work/st.toml"
st() {
  local what=$1
  shift
  step "schemathesis: $what"
  runs=$((runs + 1))
  local report="$work/report-$runs.json"
  if ! (cd "$work" && timeout 600 "$venv/bin/st" --config-file "$config" \
    run "$spec" --url "$base" --no-color --report json --report-json-path "$report" "$@"); then
    failed+=("$what")
  fi
  # An identity that stops working ends every later check of it in an "Authentication Error"
  # (an error, not a failure) or a mid-run re-login that breaks: both fail the checks.
  if ! "$venv/bin/python" - "$report" <<'PY'; then
import json, sys
r = json.load(open(sys.argv[1]))
auth = [e for e in r["errors"] if "authentic" in e["title"].lower()]
for e in auth:
    print(f"!! {e['count']} x {e['title']}", file=sys.stderr)
if r["auth"]["reauth_broke"]:
    print("!! authentication stopped working mid-run", file=sys.stderr)
print(f"   errors: {sum(e['count'] for e in r['errors'])}, authentication errors: {sum(e['count'] for e in auth)}")
sys.exit(1 if auth or r["auth"]["reauth_broke"] else 0)
PY
    failed+=("$what: authentication errors")
  fi
  took
}
# Erasing a family (admin) ends its parent's login for good, and disabling an account (admin)
# ends any login but the admin's own, so the main run leaves both out and the last run
# exercises them, when no other run needs the parents' and staff logins any more.
# Each run has a time budget (--max-time): the phases run once, then fuzzing and stateful
# sequences repeat until it is spent, so the whole takes about four minutes.
erase="DELETE /api/v1/families/{id}"
disable="PATCH /api/v1/users/{id}"
st "every operation but erasing and disabling, identity picked per operation (admin first), parents as peers" \
  --max-time 120 --exclude-name "$erase" --exclude-name "$disable"
for user in parent facilitator coordinator; do
  # For these roles erasing and disabling are a 403: they stay in.
  st "every operation as $user" --max-time 40 --auth-wfc-user "$user"
done
# Erasure and account changes only ever name the family and the staff account prepare.py made
# for them (issue 21, item 4): no identity any run logs in with, nor the peers.
config="$work/st-destructive.toml"
# No stateful phase: no links lead to these two alone.
st "family erasure and changes to accounts, as admin, on records made for it" --max-time 30 --auth-wfc-user admin \
  --phases examples,coverage,fuzzing --include-name "$erase" --include-name "$disable"

if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "!! the server died during the checks" >&2
  tail -n 20 "$work/server.out" "$work/server.err" >&2
  exit 1
fi

# After the runs, so the requests they made are there to be counted.
step "metrics: /metrics with its token, read by prometheus_client's text parser"
if ! GROUPWORK_METRICS_TOKEN="$metrics_token" timeout 120 "$venv/bin/python" .ci/metrics/check.py "$base"; then
  failed+=("/metrics")
fi
took
# Last, so the scrape's own lines are read too.
step "the server's log: JSON lines with request ids, no family's detail, password or token"
if ! python3 .ci/log_leaks.py check "$work/personal.json" "$work/server.out" "$work/server.err"; then
  failed+=("log leaks")
fi
took
if [ ${#failed[@]} -gt 0 ]; then
  # The server's own account of its 500s (the answers only say "the error has been logged").
  grep -a '"level":"ERROR"' "$work/server.out" "$work/server.err" | tail -n 40 >&2 || true
  printf '!! failed: %s\n' "${failed[@]}" >&2
  exit 1
fi

echo "== API checks passed ($((SECONDS - started))s)"
