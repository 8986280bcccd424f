"""The verdict action takes a step's result, or the name of the variable it was registered in, with the same answer."""

from tests.helpers import play

STEPS = '''
- name: close
  hotwax.oms.hotwax_shop_access:
    shop_ids: [all]
    access_scope: no_access
  register: closed
- name: by value
  hotwax.oms.hotwax_verdict:
    mode: rollback
    environment: prod
    steps: {records: "{{ closed }}"}
- name: by name
  hotwax.oms.hotwax_verdict:
    mode: rollback
    environment: prod
    steps: {records: closed}
- name: by a name nothing registered
  hotwax.oms.hotwax_verdict:
    mode: rollback
    environment: prod
    steps: {records: clsoed}
  ignore_errors: true
'''


def test_a_step_given_by_name_is_judged_as_when_given_by_value(demo_oms, run_playbook):
    run = run_playbook(play(demo_oms, STEPS))
    assert run.returncode == 0, run.output
    by_value, by_name = run.result('by value'), run.result('by name')
    assert by_value['ok'] is True and sorted(by_value['records']['done']) == ['shop SHOP config SHOP_CONFIG', 'shop SHOP remote SHOP_SHOPIFY_REMOTE']
    assert by_name == by_value
    assert run.result('by a name nothing registered')['msg'] == 'steps.records names clsoed, which is not a defined variable'


READS_AND_SNAPSHOT = '''
- name: read before
  hotwax.oms.hotwax_shop_access_info:
    shop_ids: [all]
  register: read_before
- name: close
  hotwax.oms.hotwax_shop_access:
    shop_ids: [all]
    access_scope: no_access
  register: closed
- name: a jobs read that failed, and a save that found an unusable earlier file
  ansible.builtin.set_fact:
    jobs_read: {changed: false, failed_when_result: false, msg: "HTTP 500 from the job list"}
    saved: {path: /snapshots/prod.json, snapshot: {taken_at: "2026-01-01T00:00:00Z"}, notes: [This rollback],
            problem: "prod.json was unusable and was moved aside"}
- name: reads and snapshot by name
  hotwax.oms.hotwax_verdict:
    mode: rollback
    environment: prod
    steps: {records: closed}
    reads: {records: read_before, jobs: jobs_read}
    snapshot: saved
- name: a snapshot name nothing registered
  hotwax.oms.hotwax_verdict:
    mode: rollback
    environment: prod
    steps: {records: closed}
    snapshot: svaed
  ignore_errors: true
'''


def test_the_verdict_reads_the_reads_and_the_snapshot_result_by_name(demo_oms, run_playbook):
    run = run_playbook(play(demo_oms, READS_AND_SNAPSHOT))
    assert run.returncode == 0, run.output
    verdict = run.result('reads and snapshot by name')
    assert verdict['records']['selected'] == 2 and len(verdict['records']['done']) == 2  # the read's records, closed
    assert 'Read the jobs: HTTP 500 from the job list' in verdict['problems']
    assert 'prod.json was unusable and was moved aside' in verdict['problems']
    assert 'Snapshot of the state before: /snapshots/prod.json' in verdict['summary'] and 'This rollback' in verdict['summary']
    assert run.result('a snapshot name nothing registered')['msg'] == 'snapshot names svaed, which is not a defined variable'
