# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each controller module's argument spec is written once: its action validates with it, its module file builds an
AnsibleModule from it (so that ansible-test's validate-modules holds DOCUMENTATION to it), and no file has a copy."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

import pytest

from ansible_collections.hotwax.oms.plugins.module_utils import controller_argument_specs

PLUGINS = os.path.join(os.path.dirname(controller_argument_specs.__file__), '..')
SPECS = {'hotwax_snapshot': 'SNAPSHOT', 'hotwax_verdict': 'VERDICT', 'hotwax_readiness': 'READINESS',
         'hotwax_alert_throttle': 'ALERT_THROTTLE', 'hotwax_snapshot_info': 'SNAPSHOT_INFO'}


def source(kind, name):
    with open(os.path.join(PLUGINS, kind, name + '.py')) as handle:
        return handle.read()


@pytest.mark.parametrize('name', sorted(SPECS))
def test_the_action_and_the_module_file_use_the_one_spec(name):
    spec = SPECS[name]
    action, module = source('action', name), source('modules', name)
    assert 'validate_argument_spec(argument_spec=%s)' % spec in action
    assert 'AnsibleModule(argument_spec=%s' % spec in module
    for text in (action, module):
        assert 'controller_argument_specs import' in text
        assert not re.search(r"=\s*dict\(type=", text), 'an option spec written outside controller_argument_specs.py'
