"""ansible-doc renders every module and the role, and the action group holds every module."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import COLLECTIONS, REPO

MODULES = sorted(path.stem for path in (REPO / 'plugins' / 'modules').glob('*.py'))


def ansible_doc(*args):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_NOCOLOR='1')
    return subprocess.run([str(Path(sys.executable).parent / 'ansible-doc')] + list(args), env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize('module', MODULES)
def test_ansible_doc_renders_module(module):
    proc = ansible_doc('hotwax.oms.' + module)
    assert proc.returncode == 0, proc.stderr
    for part in ('OPTIONS', 'oms_url', 'EXAMPLES', 'RETURN VALUES', 'check_mode'):
        assert part in proc.stdout, part


def test_ansible_doc_renders_the_role():
    proc = ansible_doc('-t', 'role', 'hotwax.oms.rollback')
    assert proc.returncode == 0, proc.stderr
    for variable in ('hotwax_oms_url', 'rollback_shop_ids', 'rollback_restore', 'rollback_pause_jobs'):
        assert variable in proc.stdout, variable


def test_action_group_lists_every_module():
    runtime = yaml.safe_load((REPO / 'meta' / 'runtime.yml').read_text())
    assert sorted(runtime['action_groups']['hotwax']) == MODULES
