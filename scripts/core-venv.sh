#!/usr/bin/env bash
# Make build/venv-core-CORE, the venv the release gates run ansible-core CORE from, out of the pinned
# tests/core-CORE-requirements.txt, with the Python its `# python: X.Y` line names (found by scripts/find-python.sh).
# Idempotent: remade only when the requirements file or the interpreter changes. Prints the venv's path.
#
#   scripts/core-venv.sh 2.22
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
core=${1:?usage: core-venv.sh CORE (e.g. 2.22); each has tests/core-CORE-requirements.txt}
requirements=$ROOT/tests/core-$core-requirements.txt
venv=$ROOT/build/venv-core-$core
stamp=$venv/.installed

[ -f "$requirements" ] || { echo "core-venv: no $requirements: ansible-core $core is not one the gates test" >&2; exit 2; }
python_version=$(sed -n 's/^# python: *\([0-9.]*\) *$/\1/p' "$requirements")
[ -n "$python_version" ] || { echo "core-venv: $requirements names no '# python: X.Y'" >&2; exit 2; }
python=$("$ROOT/scripts/find-python.sh" "$python_version") || {
    echo "core-venv: ansible-core $core is tested on Python $python_version, which is missing (above)" >&2
    exit 1
}

# ansible-test installs each sanity test's tools from requirement files of its own. Where one names a package by an
# archive URL on a host these machines cannot reach (github.com), the requirements file says which release from the
# package index stands in for it, in a line `# ansible-test: NAME==VERSION`; that replaces the `NAME @ URL` line.
use_reachable_test_requirements() {
    local pin name files
    files=$(find "$venv"/lib/python*/site-packages/ansible_test/_data/requirements -name '*.txt')
    sed -n 's/^# ansible-test: *\([A-Za-z0-9_.-]*==[A-Za-z0-9_.-]*\) *$/\1/p' "$requirements" | while read -r pin; do
        name=${pin%%==*}
        # shellcheck disable=SC2086  # one word per file
        grep -l "^$name @ " $files | while read -r file; do
            echo "core-venv: ${file#"$venv"/}: $name from the package index ($pin), not from its archive URL" >&2
            sed -i "s|^$name @ .*|$pin|" "$file"
        done
    done
}

key=$( (cat "$requirements"; echo "$python") | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$key" ] || [ ! -x "$venv/bin/ansible-test" ]; then
    echo "core-venv: making $venv (ansible-core $core, $python)" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install -qq --disable-pip-version-check -r "$requirements" >&2
    use_reachable_test_requirements
    printf '%s\n' "$key" > "$stamp"
fi
echo "$venv"
