"""Deliberately broken copies of the collection: the proof that the campaign can fail.

Each variant is a copy of the collection under <tmp>/ansible_collections/hotwax/oms with one small patch.
A patch names the exact text (or a pattern) it replaces, once: a change of that text upstream fails loudly
instead of testing an unbroken copy.
"""

import os
import re
import shutil

from tests.campaign.driver import REPO

# What a collection tree needs to run its playbooks; tests, docs and build output stay behind.
PARTS = ('galaxy.yml', 'meta', 'plugins', 'roles', 'playbooks')

MARK_RESTORED = """
# Marked, not deleted: it stays as history, and the next rollback takes a fresh snapshot. A partial restore marks
# what it put back, and the snapshot stays open for the rest.
- name: Mark what was put back as restored
  hotwax.oms.hotwax_snapshot:
    operation: mark_restored
    taken_at: "{{ rollback__loaded.snapshot.taken_at }}"
    path: "{{ rollback__loaded.path or omit }}"
    put_back: "{{ rollback__loaded.put_back }}"
    reason: "{{ rollback_reason | default(omit) }}"
  when: not rollback__loaded.already_restored
"""

VARIANTS = {
    # A second rollback overwrites the open snapshot of the first with the rolled-back values.
    'second_rollback_overwrites_snapshot': [(
        'plugins/plugin_utils/snapshot_store.py',
        "    state, current, problem = store.read_current()\n    result = dict(path=store.path,",
        "    state, current, problem = store.read_current()\n    if state == 'open':\n        state = 'missing'\n"
        "    result = dict(path=store.path,",
    )],
    # The snapshot is marked restored before the restore has written anything.
    'restore_marked_done_before_its_writes': [(
        'roles/rollback/tasks/restore_steps.yml', MARK_RESTORED, '',
    ), (
        'roles/rollback/tasks/restore_steps.yml', "  register: rollback__loaded\n", "  register: rollback__loaded\n" + MARK_RESTORED,
    )],
    # A restore puts back everything still closed, whatever rollback_shop_ids and rollback_product_store_ids say
    # (it still refuses ids the snapshot does not hold).
    'restore_ignores_the_selection': [(
        'plugins/plugin_utils/snapshot_store.py',
        "    whole = bool(snapshot.get('restored'))\n",
        "    shop_ids = store_ids = tied_jobs = None\n    whole = bool(snapshot.get('restored'))\n",
    )],
    # A record the step never answered for (the module failed without a result) counts as done.
    'verdict_counts_a_missing_result_as_done': [(
        'plugins/plugin_utils/verdict.py',
        "            problems.append('%s: %s' % (kind.noun, _one_line(step['msg'])))\n",
        "            pass\n",
    ), (
        'plugins/plugin_utils/verdict.py',
        re.compile(r"^( +)elif seen is None or (.*):$", re.M),
        r"\1elif seen is None:\n\1    done.append(label)\n\1elif \2:",
    )],
}


def build(variant, folder):
    """Copy the collection into ``folder``/ansible_collections/hotwax/oms, apply the variant; return the collections path."""
    tree = os.path.join(folder, 'ansible_collections', 'hotwax', 'oms')
    os.makedirs(tree)
    for part in PARTS:
        source = os.path.join(str(REPO), part)
        if os.path.isdir(source):
            shutil.copytree(source, os.path.join(tree, part), ignore=shutil.ignore_patterns('__pycache__'))
        else:
            shutil.copy2(source, os.path.join(tree, part))
    for path, old, new in VARIANTS[variant]:
        target = os.path.join(tree, path)
        with open(target) as handle:
            text = handle.read()
        pattern = old if hasattr(old, 'subn') else re.compile(re.escape(old))
        new = new if hasattr(old, 'subn') else new.replace('\\', '\\\\')
        text, count = pattern.subn(new, text)
        if count != 1:
            raise AssertionError('variant %s: %r occurs %d times in %s, not once' % (variant, old, count, path))
        with open(target, 'w') as handle:
            handle.write(text)
    return folder
