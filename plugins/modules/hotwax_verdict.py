#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: hotwax_verdict
short_description: Judge a rollback or a restore from what the OMS answered
version_added: 0.2.0
description:
  - The last step of the P(hotwax.oms.rollback#role) role, run on the controller (an action plugin). For every record
    of the selection it tells whether a step's read-back shows it closed (rollback) or back at its snapshot value
    (restore), still open, or unknown (the step ended without an answer about it; never counted as closed).
  - A rollback is also judged safe or not from what its closing step read (see C(docs/safety.md)); a closed value
    the connector reads as read access, an enum list that could not be read, and open remotes the webhook filter
    matches for a selected shop fail it. Its summary then says what the switches do not stop (from the brokering
    step's RV(hotwax.oms.hotwax_order_brokering#module:in_flight)), when Shopify starts deleting webhook
    subscriptions (4 hours after O(snapshot_taken_at)), and how to confirm that Shopify calls stopped.
  - A restore's summary names the jobs it resumed (each makes one catch-up run) and what is left to check.
  - It does not fail itself; RV(ok) and RV(failure) let the role fail the play with one message.
author:
  - hotwax.oms developers (@hotwax)
extends_documentation_fragment:
  - hotwax.oms.controller
attributes:
  check_mode:
    description: Can run in check mode and return what would be done.
    support: full
    details: Judges the predicted values; records are never reported open in check mode.
options:
  mode:
    description: What ran.
    type: str
    required: true
    choices: [rollback, restore]
  environment:
    description: The environment's name, for the messages.
    type: str
    required: true
  selection:
    description:
      - What the run is about, in the shape of a snapshot (C(shops), C(product_stores), C(service_jobs), each entry
        with its C(before)).
      - Without it, the RV(hotwax.oms.hotwax_snapshot#module:put_back) of the result O(snapshot) names (a restore),
        else the reads O(reads) names, else each step's own reading (a check run, which saves no snapshot and skips
        the reads).
    type: dict
  steps:
    description:
      - The registered results of the steps, under C(records), C(stores) and C(jobs).
      - Each is the result itself or, cheaper for a large result, the name of the variable the step registered it in.
    type: dict
    required: true
  reads:
    description:
      - The registered results of the reads before a rollback (M(hotwax.oms.hotwax_shop_access_info),
        M(hotwax.oms.hotwax_order_brokering_info), M(hotwax.oms.hotwax_service_job_info)), under C(records),
        C(stores) and C(jobs), each the result itself or the name of the variable it was registered in.
      - When one of them ran, they are what the rollback is about (what its snapshot holds). A read that ran without
        listing its records (registered with C(failed_when) false) is a failure, named by what it read, for example
        C(Read the jobs).
      - Without it, the RV(hotwax.oms.hotwax_snapshot#module:reads) of the result O(snapshot) names (a snapshot taken
        with V(take) read the state itself).
    type: dict
  snapshot:
    description:
      - The name of the variable the M(hotwax.oms.hotwax_snapshot) task registered its result in (V(take) or V(save)
        for a rollback, V(load) for a restore).
      - The verdict takes from it what the options below do not give, O(snapshot_path), O(snapshot_taken_at),
        O(kept_from), O(already_restored_at), O(notes) (first), for a rollback O(reads) and the retries its reading
        needed, for a restore O(selection), and a problem with an earlier file as a failure.
    type: str
  step_errors:
    description: Other failures to report as they are; empty strings are ignored.
    type: list
    elements: str
    default: []
  snapshot_path:
    description: The snapshot file, for the summary.
    type: str
  snapshot_taken_at:
    description: When the snapshot was taken (for a rollback, the first rollback of the open snapshot), for the summary.
    type: str
  kept_from:
    description: When a second rollback kept an earlier snapshot, the time it was taken.
    type: str
  already_restored_at:
    description: Set when the snapshot was restored before and the steps only compared it with the OMS; any difference
      is then a failure that names the records.
    type: str
  notes:
    description:
      - Lines added at the end of the summary as they are (the snapshot store's, for example who ran it, when and why,
        the renewed records, a half-closed OMS, what a partial restore leaves closed).
      - On AWX/AAP (C(awx_job_id) or C(tower_job_id) set) the summary names the job artifact
        C(hotwax_oms_snapshots.<environment>) instead of a file in the job's container.
    type: list
    elements: str
    default: []
  close_matching_remotes:
    description: Whether the rollback was asked to close the remotes the webhook filter matches (for the wording).
    type: bool
    default: false
  pause_jobs:
    description: Whether the rollback paused jobs, for the line on the real-time order intake.
    type: bool
    default: false
  every_shop:
    description: Whether every shop was selected; the real-time order intake serves every shop, so a rollback pauses
      it only then.
    type: bool
    default: true
'''

EXAMPLES = r'''
- name: Verify every selected record is closed
  hotwax.oms.hotwax_verdict:
    mode: rollback
    environment: "{{ inventory_hostname }}"
    selection: {shops: "{{ before.shops }}", product_stores: [], service_jobs: []}
    steps: {records: "{{ closed }}"}
  register: verdict

- name: Verify a rollback, naming the registered results instead of copying them
  hotwax.oms.hotwax_verdict:
    mode: rollback
    environment: "{{ inventory_hostname }}"
    steps: {records: closed, stores: stopped}
    snapshot: taken  # a hotwax_snapshot take: what it read is what the rollback is about
  register: verdict
'''

RETURN = r'''
ok:
  description: Whether every selected record is known to be closed (or back) and no step reported an error.
  returned: always
  type: bool
summary:
  description: The lines a user reads at the end of the run.
  returned: always
  type: list
  elements: str
failure:
  description: One message naming what is still open or unknown, and what to do.
  returned: when RV(ok) is false
  type: str
report:
  description: RV(summary), and when RV(ok) is false RV(failure) as its last line; what the rollback role shows at
    the end of a run, and fails with unless RV(ok).
  returned: always
  type: list
  elements: str
problems:
  description: Each reason the run is not complete.
  returned: always
  type: list
  elements: str
records:
  description: For the access-scope records, the labels C(done), C(open), C(unknown), C(drifted), C(already) closed
    before, and the count C(selected). RV(stores) and RV(jobs) have the same shape.
  returned: when records were selected
  type: dict
stores:
  description: As RV(records), for product stores.
  returned: when stores were selected
  type: dict
jobs:
  description: As RV(records), for service jobs.
  returned: when jobs were selected
  type: dict
unsafe:
  description: Of RV(problems), those that make a rollback not safe although its records are closed.
  returned: O(mode=rollback)
  type: list
  elements: str
matching_remotes:
  description: The closing step's RV(hotwax.oms.hotwax_shop_access#module:matching_remotes).
  returned: O(mode=rollback)
  type: list
  elements: dict
in_flight:
  description: The brokering step's RV(hotwax.oms.hotwax_order_brokering#module:in_flight); null when it has none.
  returned: O(mode=rollback)
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hotwax.oms.plugins.module_utils.controller_argument_specs import VERDICT, refuse_to_run_on_a_target


def main():
    # The action plugin of the same name does the work, on the controller, validating against this same spec.
    refuse_to_run_on_a_target(AnsibleModule(argument_spec=VERDICT, supports_check_mode=True), 'hotwax.oms.hotwax_verdict')


if __name__ == '__main__':
    main()
