# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection runs on Ansible's public plugin API only: no private ansible-core name anywhere under plugins/.

Allowed on ActionBase is what Ansible's own action plugins use: self._task, self._templar, self._connection,
self._play_context, self._execute_module, validate_argument_spec, and the class attributes a subclass sets
(_supports_check_mode, _supports_async, _requires_connection, _VALID_ARGS).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from pathlib import Path

PLUGINS = Path(__file__).resolve().parents[2] / 'plugins'

PRIVATE_CORE = [
    (re.compile(r'\bansible(\.module_utils)?\._internal\b'), 'ansible-core internals (ansible._internal)'),
    (re.compile(r'\bbasic\._[A-Za-z]|from ansible\.module_utils\.basic import[^\n]*\b_[A-Za-z]'),
     'an underscore global of ansible.module_utils.basic'),
    (re.compile(r'\b_parse_returned_data\b'), 'ActionBase._parse_returned_data'),
    (re.compile(r'\b_update_module_args\b'), 'ActionBase._update_module_args'),
    (re.compile(r'\bremove_internal_keys\b'), 'remove_internal_keys'),
    (re.compile(r'\bansible\.module_utils\.six\b|from ansible\.module_utils import six\b'),
     'ansible.module_utils.six (deprecated; use the standard library)'),
]
# ActionBase's private methods and attributes that its own action plugins do not need
ACTION_BASE_PRIVATE = re.compile(r'self\._(%s)\b' % '|'.join([
    'compute_environment_string', 'configure_module', 'early_needs_tmp_path', 'execute_remote_stat', 'find_needle',
    'fixup_perms2', 'get_admin_users', 'get_diff_data', 'get_remote_addr', 'get_remote_user', 'is_become_unprivileged',
    'is_pipelining_enabled', 'low_level_execute_command', 'make_tmp_path', 'remote_chgrp', 'remote_chmod',
    'remote_chown', 'remote_expand_user', 'remote_file_exists', 'remote_set_user_facl', 'remove_tmp_path',
    'should_remove_tmp_path', 'strip_success_message', 'transfer_data', 'transfer_file', 'loader',
    'shared_loader_obj', 'cleanup_remote_tmp', 'used_interpreter', 'load_name',
]))


def private_uses(files, root):
    """``file:line: what`` (the file relative to ``root``) for every use of a private ansible-core name in ``files``."""
    found = []
    for path in files:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            checks = list(PRIVATE_CORE)
            if path.parent.name in ('action', 'plugin_utils'):
                checks.append((ACTION_BASE_PRIVATE, 'a private member of ActionBase'))
            found += ['%s:%d: %s' % (path.relative_to(root), number, what)
                      for pattern, what in checks if pattern.search(line)]
    return found


def test_no_private_ansible_core_name_under_plugins():
    files = sorted(PLUGINS.rglob('*.py'))
    assert len(files) > 20
    assert private_uses(files, PLUGINS.parent) == []


def test_the_check_finds_each_private_name(tmp_path):
    action = tmp_path / 'action'
    action.mkdir()
    sample = action / 'sample.py'
    sample.write_text('\n'.join([
        'from ansible._internal._task import UnifiedTaskResult',
        'basic._ANSIBLE_ARGS = b""',
        'parsed = self._parse_returned_data(answer, profile)',
        'self._update_module_args(name, args, task_vars)',
        'from ansible.vars.clean import remove_internal_keys',
        'from ansible.module_utils.six.moves.urllib.parse import quote',
        'self._remove_tmp_path(self._connection._shell.tmpdir)',
        'result = self._execute_module(module_name=name, task_vars=task_vars)',  # allowed
    ]))
    found = private_uses([sample], tmp_path)
    assert [entry.split(': ', 1)[0] for entry in found] == ['action/sample.py:%d' % n for n in range(1, 8)]
