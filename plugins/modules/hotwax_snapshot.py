#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: hotwax_snapshot
short_description: Keep the state from before a rollback, on the controller, where no run can lose it
version_added: 0.2.0
description:
  - The snapshot store of the P(hotwax.oms.rollback#role) role, run on the controller (an action plugin). One JSON
    file per OMS, C(<folder>/<oms>.json), named by the normalised OMS URL (C(https://acme-maarg.hotwax.io) keeps
    C(acme-maarg.hotwax.io.json)), mode 0600 in a 0700 folder, written atomically, without secrets. Same-named hosts
    of two OMSes share a folder; two names of one OMS share one snapshot and one lock. A file hotwax.oms 0.2.0 named
    C(<environment>.json) that records this OMS is read, and renamed by the first rollback or restore that takes the
    lock; one that records another OMS is never used.
  - A snapshot is open from the rollback that takes it until a restore puts its values back; it is then marked
    restored and kept as history. It keeps each record's value exactly as the OMS gave it (any enum id; a missing
    value as null) and is checked for its shape, never its vocabulary, so a restore takes every value a rollback
    recorded. An open snapshot is never overwritten; a second rollback brings it up to date record by record. Where
    the OMS holds the rolled-back value the kept value stands; where it holds another value (reopened since), that
    value replaces the kept one, which stays in the entry's C(history), and the record is named as renewed.
  - A restore limited to some shops or stores (O(shop_ids), O(product_store_ids)) marks what it put back, and the
    snapshot stays open, partly restored, until a restore puts back the rest.
  - Who ran each rollback and restore, when and why (O(reason)) is kept in the snapshot's C(runs); on AWX/AAP
    (C(awx_job_id) or C(tower_job_id) set) with the job id. A restored snapshot, an open snapshot of another OMS and an unusable file are renamed aside
    (C(<oms>.<stamp>.<why>.json)) before a new snapshot is saved. The collection deletes no snapshot.
  - An environment is identified by its normalised OMS URL (scheme and host in lower case, no default port, no
    trailing C(/) or C(/rest/s1)), so the same OMS written two ways is one OMS.
  - A folder the collection makes is kept at 0700; an existing folder with a wider mode is named in a warning.
  - One rollback or restore of an environment at a time per controller; the lock names the run that holds it, and the
    lock of a run that ended without releasing it (a killed process on this host) is taken over with a warning.
author:
  - hotwax.oms developers (@hotwax)
extends_documentation_fragment:
  - hotwax.oms.controller
attributes:
  check_mode:
    description: Can run in check mode and return what would be done.
    support: full
    details: Writes nothing, takes no lock, and says where the snapshot would be saved.
options:
  operation:
    description:
      - V(begin) checks that this user can read and write O(folder) (creating it) and takes the lock. With
        O(role_inputs), it first refuses what the rollback role must not act on (see O(role_inputs)).
      - V(take) first checks the host's connection (below) and does what V(begin) does (V(end) releases the lock it
        takes), then reads the state a rollback is about from the OMS and saves it as V(save) does, all in one task.
        It reads the access scope of the selected shops (O(shop_ids), O(targets), O(close_matching_remotes)), the
        order brokering of the selected stores (O(product_store_ids)) and, with O(pause_jobs), whether their jobs are
        paused, side by side with one login, through the connection of the task's host (its C(hotwax_oms_*)
        variables, as every OMS task of the host takes it), which must be the OMS of O(oms_url). When the shops or the stores cannot be read the task
        fails and nothing is saved; jobs that cannot be read are left out (RV(jobs_selected) is false) and their
        error is in RV(reads). In check mode nothing is read (the steps' own check runs read the same state). It
        returns no RV(snapshot) (the job artifact carries it) but when it was taken (RV(taken_at)), and sets the host
        fact C(rollback_snapshot_file) to RV(path), the rollback role's note of where the way back is.
      - V(save) saves the state read before a rollback (O(shops), O(product_stores), O(service_jobs)), and publishes
        the snapshot it keeps as the job artifact C(hotwax_oms_snapshots.<environment>), as M(ansible.builtin.set_stats)
        does (per play, aggregated), so that AWX/AAP keeps it with the job.
      - V(load) returns the snapshot a restore uses, from O(snapshot), else O(published_snapshots), else the
        folder, and in RV(put_back) what this restore puts back (see O(shop_ids)). RV(check_only) says whether the
        restore's steps only compare the snapshot with the OMS.
      - V(mark_restored) marks what O(put_back) holds as restored in the snapshot taken at O(taken_at), and the
        snapshot restored once nothing is still closed; it publishes the snapshot as the job artifact again.
        V(end) releases the lock.
      - V(status) tells where the environment stands (for the readiness check) without changing anything, unless
        O(probe).
    type: str
    required: true
    choices: [begin, take, save, load, mark_restored, end, status]
  folder:
    description:
      - The snapshot folder; C(~) and environment variables are expanded, a relative path is taken from the
        directory ansible-playbook runs in.
      - When not given, the default of the P(hotwax.oms.rollback#role) role's C(rollback_snapshot_dir).
    type: str
  environment:
    description: The environment's name (its inventory host), for the messages, the job artifact and files 0.2.0 named.
    type: str
    required: true
  oms_url:
    description: The environment's OMS URL, whose normalised form identifies it.
    type: str
    required: true
  purpose:
    description: What the lock is taken for, shown to a second run.
    type: str
    choices: [rollback, restore]
    default: rollback
  targets:
    description: The record targets the rollback selected (O(operation=take) or O(operation=save)).
    type: list
    elements: str
    default: [remote, config]
  shops:
    description: The RV(hotwax.oms.hotwax_shop_access_info#module:shops) read before the rollback.
    type: list
    elements: dict
    default: []
  product_stores:
    description: The RV(hotwax.oms.hotwax_order_brokering_info#module:product_stores) read before the rollback.
    type: list
    elements: dict
    default: []
  service_jobs:
    description: The RV(hotwax.oms.hotwax_service_job_info#module:service_jobs) read before the rollback.
    type: list
    elements: dict
    default: []
  jobs_selected:
    description: Whether the job step was asked for, so that paused jobs count when judging whether the OMS looks
      already rolled back (O(operation=save); V(take) decides it from O(pause_jobs) and its reading).
    type: bool
    default: false
  close_matching_remotes:
    description: With O(operation=take), read also the open remotes the webhook filter matches for a selected shop,
      as M(hotwax.oms.hotwax_shop_access_info) does.
    type: bool
    default: false
  pause_jobs:
    description: With O(operation=take), read also whether the selected shops' and stores' jobs are paused.
    type: bool
    default: false
  snapshot:
    description:
      - A snapshot given directly, as a dict or its JSON, for example the artifact C(hotwax_oms_snapshots.<environment>)
        of an AWX rollback job (O(operation=load)), or the path of a snapshot file (a copied file, or one in a folder
        this user cannot write). It is validated exactly like a file; a file given by path is the one marked.
    type: raw
  published_snapshots:
    description:
      - With O(operation=load), the job artifact C(hotwax_oms_snapshots) a rollback job published (environment to
        snapshot), as an AWX/AAP workflow passes it on to the next job. The entry of O(environment) is used when
        O(snapshot) is not given (or empty); without one, the folder's file.
    type: dict
  reason:
    description: Why this rollback or restore runs (a ticket or a sentence); kept in the snapshot's C(runs) with who and when.
    type: str
  shop_ids:
    description:
      - With O(operation=take), the shops whose access scope is read; V(all) or unset for every shop.
      - With O(operation=load), the shops whose records this restore puts back; V(all) or unset for every shop.
    type: list
    elements: str
  product_store_ids:
    description:
      - With O(operation=take), the product stores whose brokering is read; V(all) or unset for every store.
      - With O(operation=load), the product stores whose brokering this restore puts back; V(all) or unset for every store.
    type: list
    elements: str
  tied_jobs:
    description:
      - With O(operation=load) and a limited selection, the RV(hotwax.oms.hotwax_service_job_info#module:service_jobs)
        tied to the selected shops and stores; only those jobs are put back until a restore completes the snapshot.
    type: list
    elements: dict
  put_back:
    description: With O(operation=mark_restored), the RV(put_back) of V(load) that the restore put back.
    type: dict
  keep:
    description:
      - Keep only the newest O(keep) restored snapshots of the OMS (C(rollback_snapshot_keep)). After a restore that
        completes a snapshot (O(operation=mark_restored)) and after a rollback (O(operation=save)), older restored
        snapshots are removed. An open, partly restored or unusable snapshot is never removed. Unset keeps everything.
      - A whole number of at least 1; anything else is refused by O(operation=begin) and O(operation=take).
    type: raw
  force:
    description: Restore a snapshot taken of an already rolled-back OMS (O(operation=load)).
    type: bool
    default: false
  taken_at:
    description: The C(taken_at) of the snapshot to mark restored.
    type: str
  path:
    description: The file the snapshot was loaded from, to mark.
    type: str
  role_inputs:
    description:
      - The selection variables of the P(hotwax.oms.rollback#role) role with their values (and C(rollback_restore)),
        for O(operation=begin) and O(operation=take).
      - When given, V(begin) and V(take) fail before they touch the folder, with one message naming for the environment every
        problem found. These are an empty selection, a C(rollback_*) variable the role does not know (with the
        closest known one), and credentials that are missing (no C(hotwax_oms_token), nor C(hotwax_oms_username) and
        C(hotwax_oms_password)) or ambiguous (both a token and a username), and C(rollback_restore) true with
        O(purpose=rollback). It looks at the names of the defined variables, never at a credential's value.
      - With O(operation=status), the same problems are returned in RV(role_problems), for the readiness check. A
        role variable not given is taken at the role's default (RV(role_inputs)), and RV(has_credentials) tells
        whether the environment has credentials of its own, by the same rule.
    type: dict
  probe:
    description: With O(operation=status), create the folder and write and remove a probe file, to prove this user can
      keep a snapshot there.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Take the lock before a rollback
  hotwax.oms.hotwax_snapshot:
    operation: begin
    folder: ~/.hotwax_oms/snapshots
    environment: "{{ inventory_hostname }}"
    oms_url: "{{ hotwax_oms_url }}"

- name: Take the lock, read and save the state before a rollback of two shops (the host's hotwax_oms_* variables connect)
  hotwax.oms.hotwax_snapshot:
    operation: take
    folder: ~/.hotwax_oms/snapshots
    environment: "{{ inventory_hostname }}"
    oms_url: "{{ hotwax_oms_url }}"
    shop_ids: [SHOP_US, SHOP_CA]
    product_store_ids: [STORE]
    reason: INC-1234 order import broken by release 5.2
  register: taken

- name: Release the lock once the rollback's steps are done (in an always section)
  hotwax.oms.hotwax_snapshot:
    operation: end
    folder: ~/.hotwax_oms/snapshots
    environment: "{{ inventory_hostname }}"
    oms_url: "{{ hotwax_oms_url }}"

- name: Load the snapshot an AWX rollback job published
  hotwax.oms.hotwax_snapshot:
    operation: load
    folder: ~/.hotwax_oms/snapshots
    environment: prod
    oms_url: https://acme-maarg.hotwax.io
    snapshot: "{{ hotwax_oms_snapshots.prod }}"
  register: loaded

- name: Load a copied snapshot file, to put back one shop first
  hotwax.oms.hotwax_snapshot:
    operation: load
    folder: ~/.hotwax_oms/snapshots
    environment: prod
    oms_url: https://acme-maarg.hotwax.io
    snapshot: /tmp/prod.json
    shop_ids: [SHOP]
  register: loaded
'''

RETURN = r'''
removed:
  description: Restored snapshots removed to keep the newest O(keep) (in check mode, that would be removed).
  returned: O(operation=take), O(operation=save) or O(operation=mark_restored)
  type: list
  elements: str
folder:
  description: The snapshot folder, expanded and absolute.
  returned: O(operation=begin) or O(operation=status)
  type: str
  sample: /home/ops/.hotwax_oms/snapshots
path:
  description: The snapshot file (saved, loaded, marked, or where it would be saved in check mode).
  returned: success
  type: str
  sample: /home/ops/.hotwax_oms/snapshots/acme-maarg.hotwax.io.json
snapshot:
  description: The snapshot saved or loaded; ids and C(before) values, no secrets.
  returned: O(operation=save) or O(operation=load)
  type: dict
taken_at:
  description: When the snapshot O(operation=take) saved was taken (the earlier one's time when it kept an open snapshot).
  returned: O(operation=take)
  type: str
  sample: '2026-12-03T18:05:10Z'
ansible_facts:
  description: The host fact O(operation=take) sets.
  returned: O(operation=take)
  type: dict
  contains:
    rollback_snapshot_file:
      description: RV(path), where the way back is, for the tasks after the rollback role (a release playbook's rescue names it).
      type: str
      sample: /home/ops/.hotwax_oms/snapshots/acme-maarg.hotwax.io.json
kept_from:
  description: When a rollback kept an earlier open snapshot, the time it was taken.
  returned: O(operation=take) or O(operation=save)
  type: str
moved:
  description: Files renamed aside before the new snapshot was saved, each with why (V(restored), V(other-oms), V(unusable)).
  returned: O(operation=take) or O(operation=save)
  type: list
  elements: list
problem:
  description: Why an earlier file could not be used, which an operator must look at; null when there was none.
  returned: O(operation=take), O(operation=save) or O(operation=status)
  type: str
role_problems:
  description: With O(role_inputs), every problem the rollback role would refuse before it starts, a sentence each.
  returned: O(role_inputs) was given
  type: list
  elements: str
  sample: ["hotwax_oms_token and hotwax_oms_username are both set on prod: keep one of them"]
already_restored:
  description: Whether the loaded snapshot was restored before.
  returned: O(operation=load)
  type: bool
source:
  description: Where the loaded snapshot came from, V(rollback_snapshot) (O(snapshot)), V(hotwax_oms_snapshots)
    (O(published_snapshots)) or V(file) (the folder).
  returned: O(operation=load)
  type: str
  sample: hotwax_oms_snapshots
check_only:
  description: Whether the restore's steps only compare the snapshot with the OMS and write nothing, in check mode,
    and for a snapshot restored before unless O(force) (putting an old snapshot back again could undo later changes).
  returned: O(operation=load)
  type: bool
already_restored_at:
  description: For a snapshot restored before and not forced, when it was restored; null otherwise.
  returned: O(operation=load)
  type: str
role_inputs:
  description: With O(role_inputs), what the rollback role would act on, each variable given, else the role's default.
  returned: O(operation=status) with O(role_inputs)
  type: dict
  sample: {"rollback_shop_ids": ["all"], "rollback_pause_jobs": false}
has_credentials:
  description: With O(role_inputs), whether the environment has credentials of its own (C(hotwax_oms_token), or
    C(hotwax_oms_username) and C(hotwax_oms_password)), by the role's rule.
  returned: O(operation=status) with O(role_inputs)
  type: bool
renewed:
  description: Labels of the records a second rollback renewed (reopened since the kept snapshot's rollback).
  returned: O(operation=take) or O(operation=save)
  type: list
  elements: str
  sample: ["shop SHOP remote SHOP_SHOPIFY_REMOTE"]
notes:
  description: Lines for the run's summary (who, when and why; renewed records; a half-closed OMS; unfamiliar scopes; what is still closed).
  returned: O(operation=take), O(operation=save) or O(operation=load)
  type: list
  elements: str
reads:
  description:
    - What O(operation=take) read, by part, each the return values of the module that reads it
      (M(hotwax.oms.hotwax_shop_access_info) under C(records), M(hotwax.oms.hotwax_order_brokering_info) under
      C(stores), M(hotwax.oms.hotwax_service_job_info) under C(jobs) when O(pause_jobs)); a part that could not be read
      holds C(failed) and C(msg) instead. Empty in check mode.
    - M(hotwax.oms.hotwax_verdict) takes it as what the rollback is about.
  returned: O(operation=take)
  type: dict
jobs_selected:
  description: Whether O(operation=take) read the jobs (O(pause_jobs) and an answer), so that the job step runs.
  returned: O(operation=take)
  type: bool
retries:
  description: The retries the reading of O(operation=take) needed, as the OMS modules return them (C(count), C(reasons)).
  returned: O(operation=take), when it read the OMS
  type: dict
put_back:
  description: What this restore puts back, in the shape of a snapshot (C(shops), C(product_stores), C(service_jobs)).
  returned: O(operation=load)
  type: dict
partial:
  description: Whether something stays closed after this restore (the snapshot stays open, partly restored).
  returned: O(operation=load)
  type: bool
still_closed:
  description: Labels of what this restore leaves closed.
  returned: O(operation=load)
  type: list
  elements: str
restored:
  description: Whether the snapshot is now wholly restored.
  returned: O(operation=mark_restored)
  type: bool
state:
  description: V(missing), V(open), V(restored), V(other_oms) or V(unusable), of C(<oms>.json).
  returned: O(operation=status)
  type: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hotwax.oms.plugins.module_utils.controller_argument_specs import SNAPSHOT, refuse_to_run_on_a_target


def main():
    # The action plugin of the same name does the work, on the controller, validating against this same spec.
    refuse_to_run_on_a_target(AnsibleModule(argument_spec=SNAPSHOT, supports_check_mode=True), 'hotwax.oms.hotwax_snapshot')


if __name__ == '__main__':
    main()
