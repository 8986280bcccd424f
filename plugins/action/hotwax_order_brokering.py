# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""hotwax.oms.hotwax_order_brokering runs in Ansible's worker when it would run on this machine with this Python (see plugin_utils)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hotwax.oms.plugins.modules import hotwax_order_brokering
from ansible_collections.hotwax.oms.plugins.plugin_utils.module_in_worker import ModuleInWorkerAction


class ActionModule(ModuleInWorkerAction):
    module = hotwax_order_brokering
