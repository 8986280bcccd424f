#!/usr/bin/env bash
# Print the real interpreter of Python VERSION (e.g. 3.13), one that can make a venv, or fail naming what is missing.
#
#   scripts/find-python.sh 3.13
#
# Tried in order: `pythonVERSION` on PATH; the same under pyenv with PYENV_VERSION set to each installed VERSION.*
# (a pyenv shim answers only for the versions it is told to use); pyenv's own VERSION.* builds; /usr/bin and
# /usr/local/bin. The path printed is the interpreter itself, never a shim or a venv's link: ansible-test gives its
# children a bare PATH, and a venv made from a shim would break when pyenv's settings change.
set -uo pipefail

version=${1:?usage: find-python.sh VERSION (e.g. 3.13)}
pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
tried=()

# The interpreter behind COMMAND... if it is Python $version with venv and ensurepip.
probe() {
    "$@" -c '
import ensurepip, os, sys, venv
want = sys.argv[1]
if "%d.%d" % sys.version_info[:2] != want:
    sys.exit(1)
# The base interpreter, also when COMMAND is a venv'"'"'s python or a shim.
path = os.path.join(sys.base_prefix, "bin", "python" + want)
print(os.path.realpath(path if os.path.exists(path) else sys.executable))
' "$version" 2>/dev/null
}

try() {
    local real
    tried+=("$*")
    real=$(probe "$@") && [ -x "$real" ] && { printf '%s\n' "$real"; exit 0; }
}

if command -v "python$version" >/dev/null 2>&1; then
    try "python$version"
    for build in $(printf '%s\n' "$pyenv_root"/versions/"$version".* | sort -V -r); do
        [ -d "$build" ] && try env PYENV_VERSION="$(basename "$build")" "python$version"
    done
fi
for candidate in $(printf '%s\n' "$pyenv_root"/versions/"$version".*/bin/python"$version" | sort -V -r) \
                 "/usr/local/bin/python$version" "/usr/bin/python$version"; do
    [ -x "$candidate" ] && try "$candidate"
done

{
    echo "find-python: no working Python $version (with venv and ensurepip) on this machine."
    if [ ${#tried[@]} -eq 0 ]; then
        echo "  nothing to try: no python$version on PATH, in $pyenv_root/versions/$version.*, /usr/local/bin or /usr/bin"
    else
        printf '  tried: %s\n' "${tried[@]}"
    fi
    echo "  Install Python $version (e.g. \`pyenv install $version\`, or your system's python$version and python$version-venv packages)."
} >&2
exit 1
