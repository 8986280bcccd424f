#!/usr/bin/env bash
# Make build/venv-eda, the venv tests/test_eda.py runs ansible-rulebook from, from tests/eda-requirements.txt.
# Idempotent: does nothing while the venv is newer than the requirements. Prints the venv's path.
# ansible-rulebook also needs a JDK 17 (`java -version`), which no pip install brings: the test says when it is missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=$ROOT/build/venv-eda
REQUIREMENTS=$ROOT/tests/eda-requirements.txt
STAMP=$VENV/.installed
PYTHON=${PYTHON:-python3}

if [ ! -f "$STAMP" ] || [ "$REQUIREMENTS" -nt "$STAMP" ]; then
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS" >&2
    touch "$STAMP"
fi
echo "$VENV"
