"""The connection an OMS task takes from its host's hotwax_oms_* variables (plugin_utils/oms_action.py)."""

from ansible_collections.hotwax.oms.plugins.plugin_utils.oms_action import with_host_connection

HOST = {'hotwax_oms_url': 'https://acme-maarg.hotwax.io', 'hotwax_oms_token': 'tok', 'hotwax_oms_timeout': 7,
        'hotwax_oms_headers': {'X-Key': 'k'}, 'unrelated': 1}


def same(value):
    return value


def test_a_task_without_connection_options_takes_the_hosts():
    args = with_host_connection({'shop_ids': ['all']}, HOST, same)
    assert args['oms_url'] == HOST['hotwax_oms_url'] and args['token'] == 'tok' and args['timeout'] == 7
    assert args['headers'] == {'X-Key': 'k'} and args['shop_ids'] == ['all'] and 'unrelated' not in args


def test_what_the_task_gives_wins_and_none_counts_as_not_given():
    args = with_host_connection({'timeout': 3, 'token': None}, HOST, same)
    assert args['timeout'] == 3 and args['token'] == 'tok'


def test_a_task_naming_another_oms_takes_nothing_from_the_host():
    assert with_host_connection({'oms_url': 'https://other.hotwax.io'}, HOST, same) == {'oms_url': 'https://other.hotwax.io'}


def test_a_task_with_its_own_credential_takes_none_of_the_hosts():
    args = with_host_connection({'username': 'u', 'password': 'p'}, HOST, same)
    assert args['username'] == 'u' and 'token' not in args and args['oms_url'] == HOST['hotwax_oms_url']


def test_on_an_environment_the_defaults_stand_against_the_shell():
    """validate_certs, unset on the host, is true: not HOTWAX_OMS_VALIDATE_CERTS of whoever runs the play."""
    args = with_host_connection({}, HOST, same)
    assert args['validate_certs'] is True and args['retries'] == 5 and 'password' not in args


def test_a_host_that_is_no_environment_changes_nothing():
    assert with_host_connection({'shop_ids': ['A']}, {'other': 1}, same) == {'shop_ids': ['A']}


def test_values_are_templated():
    args = with_host_connection({}, HOST, lambda value: 'T(%s)' % value if isinstance(value, str) else value)
    assert args['oms_url'] == 'T(https://acme-maarg.hotwax.io)' and args['timeout'] == 7
