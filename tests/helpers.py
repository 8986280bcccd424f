"""Helpers the test files share: seed credentials, playbook text, inventories' host vars, state readings."""

import json
from urllib.parse import urlsplit

from ansible_collections.hotwax.oms.plugins.plugin_utils.snapshot_store import oms_file_name

LOGIN_PATH = '/rest/s1/admin/login'
NO_ACCESS = 'SHOP_NO_ACCESS'

# A play of module tasks against one OMS. The token comes from the environment (see conftest.run_playbook),
# so neither the playbook nor Ansible's error context ever shows it.
MODULE_PLAY = '''
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/hotwax.oms.hotwax:
      oms_url: {url}
      token: "{{{{ lookup('ansible.builtin.env', 'HOTWAX_TEST_TOKEN') }}}}"
  tasks:
{tasks}
'''


def admin_token(oms):
    """The long-lived admin JWT the seed holds (as issued in the OMS admin)."""
    return oms.seed['tokens'][0]['token']


def user_password(oms, username):
    return [user['password'] for user in oms.seed['users'] if user['username'] == username][0]


def token_vars(oms, **extra):
    """Host vars of an environment that authenticates with the admin token."""
    return dict({'hotwax_oms_url': oms.url, 'hotwax_oms_token': admin_token(oms)}, **extra)


def login_vars(oms, **extra):
    """Host vars of an environment that logs in with the admin's username and password."""
    return dict({'hotwax_oms_url': oms.url, 'hotwax_oms_username': 'hotwax.admin',
                 'hotwax_oms_password': user_password(oms, 'hotwax.admin')}, **extra)


def play(oms, tasks):
    """A playbook running ``tasks`` (YAML text) on localhost against ``oms``."""
    indented = '\n'.join('    ' + line for line in tasks.strip('\n').splitlines())
    return MODULE_PLAY.format(url=oms.url, tasks=indented)


def playbook(run_playbook, name, inventory, *args):
    """Run the collection's playbook ``hotwax.oms.<name>`` with an inventory file (on all its hosts unless -l is given)."""
    limit = () if '-l' in args else ('-l', 'all')
    return run_playbook('- import_playbook: hotwax.oms.%s\n' % name, *(limit + args), inventory=inventory)


def snapshot_path(tmp_path, host='prod', oms=None):
    """Where the rollback keeps ``host``'s snapshot: ``<folder>/<oms>.json``, named by the OMS URL of ``oms``, or of
    ``host`` in the inventory the ``hosts`` fixture wrote (tmp_path/hosts.yml)."""
    url = oms.url if oms is not None else json.loads((tmp_path / 'hosts.yml').read_text())['hotwax_oms']['hosts'][host]['hotwax_oms_url']
    return tmp_path / 'snapshots' / ('%s.json' % oms_file_name(url))


def normal(state):
    """State as the OMS reads it: a missing scope is read access, missing brokering is on."""
    return {
        'remotes': dict((key, value or 'SHOP_READ_ACCESS') for key, value in state['remotes'].items()),
        'configs': dict((key, value or 'SHOP_READ_ACCESS') for shop in state['shops'].values()
                        for key, value in shop['configs'].items()),
        'stores': dict((key, value != 'N') for key, value in state['stores'].items()),
    }


def remote_owners(oms):
    """{remote id: set of shop ids it belongs to}, by the collection's ownership rule, read from the database.

    A remote belongs to a shop when its internalId is the shop id with internalIdType HOTWAX_SHOP_ID, or its remoteId is
    the shop's shopifyShopId, or its sendUrl's host is the shop's myshopifyDomain; but never when its internalId names
    another shop, whatever its type.
    """
    shops = oms.query('SELECT * FROM ShopifyShop')
    shop_ids = set(shop['shopId'] for shop in shops)
    owners = {}
    for remote in oms.query('SELECT * FROM SystemMessageRemote'):
        internal_id = remote['internalId']
        host = urlsplit(remote['sendUrl'] or '').hostname
        owners[remote['systemMessageRemoteId']] = set(
            shop['shopId'] for shop in shops
            if not (internal_id in shop_ids and internal_id != shop['shopId'])
            and ((internal_id == shop['shopId'] and remote['internalIdType'] == 'HOTWAX_SHOP_ID')
                 or (remote['remoteId'] and remote['remoteId'] == shop['shopifyShopId'])
                 or (shop['myshopifyDomain'] and shop['myshopifyDomain'] == host)))
    return owners


def foreign_remotes(oms):
    """Remotes that belong to no shop."""
    return set(remote_id for remote_id, shops in remote_owners(oms).items() if not shops)


def assert_no_secret(oms, *texts):
    """None of the OMS's secrets (passwords, tokens, Shopify credentials) appears in any of ``texts``."""
    text = ''.join(t if isinstance(t, str) else json.dumps(t, default=str) for t in texts)
    leaked = [secret for secret in oms.secrets() if secret in text]
    assert not leaked, '%d secrets leaked' % len(leaked)
