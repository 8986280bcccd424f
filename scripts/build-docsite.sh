#!/usr/bin/env bash
# Builds the HTML docs site of hotwax.oms into build/docsite/build/html (what `make docs` runs, in build/docs-venv).
#
# antsibull-docs makes the Sphinx project (sphinx-init) and its build script, which documents every module, plugin
# and role of the collection and adds the extra docs of docs/docsite/extra-docs.yml; scripts/docsite/conf_offline.py
# is appended to the generated conf.py: no intersphinx and no links to docs.ansible.com, so the site builds and reads
# without network; and the guides in docs/*.md replace their stubs in docs/docsite/rst/. Sphinx turns every warning
# into an error (-W), here and in CI.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SITE=$ROOT/build/docsite
DOCS_VENV=${DOCS_VENV:-$ROOT/build/docs-venv}
export PATH=$DOCS_VENV/bin:$PATH
export ANSIBLE_COLLECTIONS_PATH=$ROOT/build/collections
# Where conf_offline.py finds the guides and playbooks; Ansible keeps its temporary files under build/.
export HOTWAX_OMS_ROOT=$ROOT
export ANSIBLE_HOME=$ROOT/build/ansible-home

[ -x "$DOCS_VENV/bin/antsibull-docs" ] || { echo "build-docsite: no $DOCS_VENV: run 'make docs'" >&2; exit 2; }
[ -e "$ANSIBLE_COLLECTIONS_PATH/ansible_collections/hotwax/oms" ] || {
    echo "build-docsite: the collection is not linked under $ANSIBLE_COLLECTIONS_PATH: run 'make docs'" >&2; exit 2; }

rm -rf "$SITE"
# antsibull-docs wants a directory that only its owner may write to.
mkdir -p "$(dirname "$SITE")"
mkdir -m 0700 "$SITE"
antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir "$SITE" \
    --project hotwax.oms --copyright 'hotwax.oms developers' \
    --title 'hotwax.oms: rollback automation for HotWax Commerce OMS' --html-short-title hotwax.oms \
    --index-rst-source "$ROOT/scripts/docsite/index.rst" --no-add-antsibull-docs-version hotwax.oms >/dev/null
# The collection's own pages link to its own index, not to Galaxy.
sed -i 's|^  \* = "https://galaxy.ansible.com/ui/repo/published/{namespace}/{name}/"$|  hotwax.oms = "index.html"|' \
    "$SITE/antsibull-docs.cfg"
grep -q '^  hotwax.oms = "index.html"$' "$SITE/antsibull-docs.cfg" || {
    echo "build-docsite: antsibull-docs.cfg has no Galaxy collection_url to replace (a new antsibull-docs?)" >&2; exit 1; }
cat "$ROOT/scripts/docsite/conf_offline.py" >> "$SITE/conf.py"
"$SITE/build.sh"
echo "build-docsite: open $SITE/build/html/index.html"
