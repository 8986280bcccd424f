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
