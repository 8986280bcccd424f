"""ansible-doc renders every module, plugin and the role, and the action group holds every module that talks to the OMS."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import COLLECTIONS, REPO

MODULES = sorted(path.stem for path in (REPO / 'plugins' / 'modules').glob('*.py'))
ACTIONS = dict((path.stem, path.read_text()) for path in (REPO / 'plugins' / 'action').glob('*.py'))
# Modules whose work is done on the controller by an action plugin of the same name: they keep the role's
# snapshots and verdicts and take no connection options, so they are not in the action group. The other actions
# run an OMS module's work (plugin_utils/oms_action.py).
CONTROLLER_ACTIONS = sorted(name for name, text in ACTIONS.items() if 'OmsAction' not in text)
OMS_MODULES = [module for module in MODULES if module not in CONTROLLER_ACTIONS]
FILTERS = sorted(path.stem for path in (REPO / 'plugins' / 'filter').glob('*.py'))


def ansible_doc(*args):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_NOCOLOR='1')
    return subprocess.run([str(Path(sys.executable).parent / 'ansible-doc')] + list(args), env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize('module', MODULES)
def test_ansible_doc_renders_module(module):
    proc = ansible_doc('hotwax.oms.' + module)
    assert proc.returncode == 0, proc.stderr
    for part in ('OPTIONS', 'EXAMPLES', 'RETURN VALUES', 'check_mode') + (('oms_url',) if module in OMS_MODULES else ()):
        assert part in proc.stdout, part


def test_every_controller_action_has_its_documentation():
    assert set(CONTROLLER_ACTIONS) <= set(MODULES)


def test_every_oms_module_can_run_in_the_worker():
    assert sorted(name for name, text in ACTIONS.items() if 'OmsAction' in text) == OMS_MODULES


@pytest.mark.parametrize('name', FILTERS)
def test_ansible_doc_renders_filter(name):
    proc = ansible_doc('-t', 'filter', 'hotwax.oms.' + name)
    assert proc.returncode == 0, proc.stderr
    assert 'EXAMPLES' in proc.stdout


def test_ansible_doc_renders_the_role():
    proc = ansible_doc('-t', 'role', 'hotwax.oms.rollback')
    assert proc.returncode == 0, proc.stderr
    for variable in ('hotwax_oms_url', 'rollback_shop_ids', 'rollback_restore', 'rollback_pause_jobs', 'rollback_snapshot',
                     'hotwax_oms_snapshots', '~/.hotwax_oms/snapshots'):
        assert variable in proc.stdout, variable
    assert '(of module' not in proc.stdout  # no cross-reference glitch in the role's page


def test_action_group_lists_every_module_that_talks_to_the_oms():
    runtime = yaml.safe_load((REPO / 'meta' / 'runtime.yml').read_text())
    assert sorted(runtime['action_groups']['hotwax']) == OMS_MODULES
