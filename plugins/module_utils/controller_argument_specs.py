# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The argument specs of the controller-side modules, written once.

Each action plugin validates its task against its spec, and the module file of the same name builds an
AnsibleModule from it, so that ansible-test's validate-modules holds the module's DOCUMENTATION to it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

SNAPSHOT = dict(
    operation=dict(type='str', required=True, choices=['begin', 'take', 'save', 'load', 'mark_restored', 'end', 'status']),
    folder=dict(type='str'),  # unset: the rollback role's default rollback_snapshot_dir
    environment=dict(type='str', required=True),
    oms_url=dict(type='str', required=True),
    purpose=dict(type='str', choices=['rollback', 'restore'], default='rollback'),
    targets=dict(type='list', elements='str', default=['remote', 'config']),
    shops=dict(type='list', elements='dict', default=[]),
    product_stores=dict(type='list', elements='dict', default=[]),
    service_jobs=dict(type='list', elements='dict', default=[]),
    jobs_selected=dict(type='bool', default=False),
    close_matching_remotes=dict(type='bool', default=False),
    pause_jobs=dict(type='bool', default=False),
    snapshot=dict(type='raw'),
    published_snapshots=dict(type='dict'),
    force=dict(type='bool', default=False),
    taken_at=dict(type='str'),
    path=dict(type='str'),
    probe=dict(type='bool', default=False),
    role_inputs=dict(type='dict'),
    reason=dict(type='str'),
    shop_ids=dict(type='list', elements='str'),
    product_store_ids=dict(type='list', elements='str'),
    tied_jobs=dict(type='list', elements='dict'),
    put_back=dict(type='dict'),
    keep=dict(type='raw'),
)

VERDICT = dict(
    mode=dict(type='str', required=True, choices=['rollback', 'restore']),
    environment=dict(type='str', required=True),
    selection=dict(type='dict'),
    steps=dict(type='dict', required=True),
    reads=dict(type='dict'),
    snapshot=dict(type='str'),
    step_errors=dict(type='list', elements='str', default=[]),
    snapshot_path=dict(type='str'),
    snapshot_taken_at=dict(type='str'),
    kept_from=dict(type='str'),
    already_restored_at=dict(type='str'),
    notes=dict(type='list', elements='str', default=[]),
    # a rollback's safety report (docs/safety.md)
    close_matching_remotes=dict(type='bool', default=False),
    pause_jobs=dict(type='bool', default=False),
    every_shop=dict(type='bool', default=True),
)

READINESS = dict(
    environment=dict(type='str', required=True),
    api=dict(type='raw', required=True),
    snapshot_status=dict(type='raw', required=True),
    variable_problems=dict(type='list', elements='str', default=[]),
    report_dir=dict(type='str'),
)

SNAPSHOT_INFO = dict(
    environment=dict(type='str', required=True),
    oms_url=dict(type='str', required=True),
    folder=dict(type='str', default='~/.hotwax_oms/snapshots'),
)

ALERT_THROTTLE = dict(
    environment=dict(type='str', required=True),
    oms_url=dict(type='str', required=True),
    folder=dict(type='str', default='~/.hotwax_oms/snapshots'),
    once_within=dict(type='str', default='30 minutes'),
    reason=dict(type='str', required=True),
)


def refuse_to_run_on_a_target(module, name):
    """What the module file does if it is ever run as a module: its work is its action plugin's, on the controller."""
    module.fail_json(msg='%s runs on the controller as an action plugin of the hotwax.oms collection; it cannot run '
                         'as a module on a target host' % name)
