#!/usr/bin/env bash
# The rollback runbook, end to end, on the local OMS emulator (demo seed: store STORE, shop SHOP).
# Run through `make demo`, which sets up .venv and the collection path first.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python -m tests.emulator --seed demo --port "$port" --pidfile "$work/emulator.pid" > "$work/emulator.log" 2>&1 &
trap 'kill "$(cat "$work/emulator.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q http "$work/emulator.log" 2>/dev/null && break; sleep 0.1; done

export HOTWAX_DEMO_URL="http://127.0.0.1:$port"
export HOTWAX_DEMO_TOKEN
HOTWAX_DEMO_TOKEN=$(python -c 'import json; print(json.load(open("tests/emulator/seeds/demo.json"))["tokens"][0]["token"])')
export HOTWAX_DEMO_SNAPSHOTS="$work/snapshots"
export ANSIBLE_NOCOLOR=${ANSIBLE_NOCOLOR:-} ANSIBLE_LOCALHOST_WARNING=false
playbook() { ansible-playbook -i demo/inventory.yml -l demo "$@"; }
show_state() {
  echo "--- OMS state: $1"
  python -c '
import json, os, urllib.request
state = json.load(urllib.request.urlopen(os.environ["HOTWAX_DEMO_URL"] + "/_emulator/state"))
for shop, data in state["shops"].items():
    print("  shop %s config rows: %s" % (shop, data["configs"]))
print("  remotes: %s" % state["remotes"])
print("  stores (enableBrokering): %s" % state["stores"])'
}

show_state "before"
echo; echo "=== 1. What would the rollback change? (--check --diff: reads only)"
playbook hotwax.oms.rollback --check --diff
echo; echo "=== 2. Roll back: close Shopify access, stop order brokering"
playbook hotwax.oms.rollback
show_state "after the rollback"
echo "--- snapshot kept for the restore:"; sed 's/^/  /' "$HOTWAX_DEMO_SNAPSHOTS/demo.json"
echo; echo "=== 3. Restore exactly what was there"
playbook hotwax.oms.restore --diff
show_state "after the restore (the same as before)"
