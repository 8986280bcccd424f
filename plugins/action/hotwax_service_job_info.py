# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""hotwax.oms.hotwax_service_job_info: its work runs in Ansible's worker, or the module on its host when delegated (plugin_utils/oms_action.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hotwax.oms.plugins.module_utils.oms_tasks import SERVICE_JOB_INFO_SPEC, run_service_job_info
from ansible_collections.hotwax.oms.plugins.plugin_utils.oms_action import OmsAction


class ActionModule(OmsAction):
    spec = SERVICE_JOB_INFO_SPEC
    work = staticmethod(run_service_job_info)
