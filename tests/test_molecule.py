"""The Molecule scenario of the rollback role: converge, idempotence, then verify (closed, and restore is exact)."""

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import COLLECTIONS, REPO


def test_molecule_rollback_scenario():
    bin_dir = str(Path(sys.executable).parent)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get('PATH', ''),
               ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_NOCOLOR='1', NO_COLOR='1')
    proc = subprocess.run([os.path.join(bin_dir, 'molecule'), 'test', '-s', 'rollback'], cwd=str(REPO / 'extensions'),
                          env=env, capture_output=True, text=True, timeout=900, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-6000:]
    for step in ('prepare', 'converge', 'idempotence', 'verify'):
        assert '%s: Executed: Successful' % step in output, step
