"""What the campaign draws: the world the emulator serves, the faults, and the operator's actions.

Every drawn value is a small frozen dataclass whose repr reads as the scenario, so that the shrunk example
Hypothesis prints is something a person can replay by hand.
"""

import dataclasses
import json
from typing import Optional, Tuple

from hypothesis import strategies as st

from tests.emulator.database import resolve_seed

# None: no value. SHOP_CUSTOM_SCOPE: an enum of the type the collection does not know (the OMS takes any, issue 20).
CUSTOM_SCOPE = 'SHOP_CUSTOM_SCOPE'
SCOPES = ('SHOP_NO_ACCESS', 'SHOP_READ_ACCESS', 'SHOP_RW_ACCESS', 'SHOP_READ_WRITE_ACCESS', None, CUSTOM_SCOPE)
BROKERING = ('Y', 'N', None)
PAUSED = ('N', 'Y', None, 'S')  # 'S': any value but null and N is paused
# How a remote is tied to its shop, or a lookalike that belongs to no shop.
REMOTE_LINKS = ('internal', 'remote_id', 'send_url', 'all')
FOREIGN_LINKS = ('sftp', 'netsuite')
JOB_PARAMETERS = ('systemMessageRemoteId', 'remoteId', 'shopifyRemoteId')


@dataclasses.dataclass(frozen=True)
class Remote:
    id: str
    link: str  # one of REMOTE_LINKS, or FOREIGN_LINKS for a remote of no shop
    scope: Optional[str]


@dataclasses.dataclass(frozen=True)
class Shop:
    id: str
    store: str
    configs: Tuple[Optional[str], ...]  # the scope of each ShopifyConfig row
    remotes: Tuple[Remote, ...]
    import_job: Optional[str]  # paused value of its order import clone (None: no such job), named by a remote
    sync_job: Optional[str]  # paused value of its product sync clone
    job_suffix_lies: bool  # the clones are named <template>_<number>, not <template>_<shop id>
    job_rows_bare: bool  # the list rows of its jobs carry no parameters


@dataclasses.dataclass(frozen=True)
class World:
    stores: Tuple[Tuple[str, Optional[str], Optional[str]], ...]  # (id, enableBrokering, paused of its routing job)
    shops: Tuple[Shop, ...]
    foreign: Tuple[Remote, ...]
    switches: Tuple[Tuple[str, object], ...]  # emulator configure() options

    def seed(self):
        """The emulator seed (a dict) of this world; users and tokens are the demo's."""
        demo = resolve_seed('demo')
        stores, shops, remotes, jobs, groups = [], [], [], [], []
        for number, (store_id, brokering, routing_paused) in enumerate(self.stores):
            stores.append(_without_none({'productStoreId': store_id, 'storeName': 'Store %s' % store_id,
                                         'enableBrokering': brokering}))
            group = '2000%d' % number
            groups.append({'routingGroupId': group, 'productStoreId': store_id, 'groupName': 'Brokering of %s' % store_id,
                           'jobName': 'Order_Routing_Group_' + group})
            jobs.append(_without_none({'jobName': 'Order_Routing_Group_' + group, 'serviceName': 'run#OrderRoutingGroup',
                                       'cronExpression': '0 0/30 * * * ?', 'paused': routing_paused,
                                       'serviceJobParameters': [{'parameterName': 'routingGroupId', 'parameterValue': group}]}))
        for number, shop in enumerate(self.shops):
            shopify_id = '7700%d' % number
            domain = '%s.myshopify.com' % shop.id.lower()
            shops.append({'shopId': shop.id, 'shopifyShopId': shopify_id, 'productStoreId': shop.store, 'name': 'Shop ' + shop.id,
                          'myshopifyDomain': domain, 'isEnabled': 'Y',
                          'shopifyConfig': [_without_none({
                              'shopifyConfigId': '%s_CONFIG_%d' % (shop.id, index), 'accessScopeEnumId': scope,
                              'apiVersion': '2024-01', 'processRefund': 'Y',
                              'accessToken': 'shpat-secret-%s-%d' % (shop.id, index),
                              'sharedSecret': 'shpss-secret-%s-%d' % (shop.id, index)})
                              for index, scope in enumerate(shop.configs)]})
            for remote in shop.remotes:
                remotes.append(_remote_row(remote, shop.id, shopify_id, domain))
            suffix = ('9%03d' % number) if shop.job_suffix_lies else shop.id
            if shop.import_job is not None and shop.remotes:
                jobs.append(_job('queue_ShopifyOrderSync_' + suffix, shop.import_job,
                                 JOB_PARAMETERS[number % len(JOB_PARAMETERS)], shop.remotes[0].id, shop.job_rows_bare))
            if shop.sync_job is not None:
                jobs.append(_job('sync_ShopifyProductUpdates_' + suffix, shop.sync_job, 'shopId', shop.id, shop.job_rows_bare))
        for remote in self.foreign:
            remotes.append(_remote_row(remote, self.shops[0].id, None, None))
        jobs.extend([{'jobName': 'queue_ShopifyOrderSync', 'serviceName': 'queue#ShopifyOrderSync', 'paused': 'Y'},
                     {'jobName': 'sync_ShopifyProductUpdates', 'serviceName': 'sync#ProductUpdates', 'paused': 'Y'},
                     {'jobName': 'consume_ShopifyOrders_SQS', 'serviceName': 'consume#ShopifyOrders', 'paused': 'N'}])
        return {'description': 'a world drawn by the campaign', 'productStores': stores, 'shopifyShops': shops,
                'enums': [{'enumId': CUSTOM_SCOPE, 'enumTypeId': 'ShopifyShopAccessScope', 'description': 'a custom scope'}],
                'systemMessageRemotes': remotes, 'serviceJobs': jobs, 'routingGroups': groups,
                'users': demo['users'], 'tokens': demo['tokens']}

    def job_owners(self):
        """{job name: ('shop', id) or ('store', id) or ('all', None)}: the jobs a rollback may pause, by construction."""
        owners = {'consume_ShopifyOrders_SQS': ('all', None)}
        for number, (store_id, dummy, dummy2) in enumerate(self.stores):
            owners['Order_Routing_Group_2000%d' % number] = ('store', store_id)
        for job in self.seed()['serviceJobs']:
            for parameter in job.get('serviceJobParameters', []):
                for shop in self.shops:
                    if parameter['parameterValue'] in [shop.id] + [remote.id for remote in shop.remotes]:
                        owners[job['jobName']] = ('shop', shop.id)
        return owners


def _without_none(row):
    return dict((key, value) for key, value in row.items() if value is not None)


def _job(name, paused, parameter, value, bare):
    row = {'jobName': name, 'serviceName': name.split('_')[0], 'cronExpression': '0 0/15 * * * ?', 'paused': paused,
           'serviceJobParameters': [{'parameterName': parameter, 'parameterValue': value}]}
    if bare:
        row['listParameters'] = False
    return _without_none(row)


def _remote_row(remote, shop_id, shopify_id, domain):
    row = {'systemMessageRemoteId': remote.id, 'description': 'remote %s (%s)' % (remote.id, remote.link),
           'accessScopeEnumId': remote.scope, 'username': 'user-' + remote.id.lower(),
           'password': 'remote-pass-secret-%s' % remote.id, 'sharedSecret': 'remote-hmac-secret-%s' % remote.id,
           'sendUrl': 'https://hooks.example.net/%s' % remote.id.lower()}
    if remote.link in ('internal', 'all'):
        row.update(internalId=shop_id, internalIdType='HOTWAX_SHOP_ID')
    if remote.link in ('remote_id', 'all'):
        row.update(remoteId=shopify_id, remoteIdType='SHOPIFY_SHOP_ID')
    if remote.link in ('send_url', 'all'):
        row.update(sendUrl='https://%s/admin/api/2024-01' % domain)
    if remote.link == 'sftp':  # its internalId is a shop id, but it is no Shopify remote of that shop
        row.update(internalId=shop_id, internalIdType='SFTP_SERVER', sendUrl='sftp://files.example.net/in')
    if remote.link == 'netsuite':
        row.update(internalId='NETSUITE', internalIdType='NETSUITE_ACCOUNT')
    return _without_none(row)


@st.composite
def worlds(draw, max_shops=4, max_stores=3, config_scopes=SCOPES, min_configs=0, min_shops=1):
    store_count = draw(st.integers(1, max_stores))
    stores = tuple(('ST%d' % number, draw(st.sampled_from(BROKERING)), draw(st.sampled_from(PAUSED)))
                   for number in range(store_count))
    shops = []
    remote_number = 0
    for number in range(draw(st.integers(min_shops, max_shops))):
        remotes = []
        for dummy in range(draw(st.integers(0, 2))):
            remote_number += 1
            remotes.append(Remote('RM%d' % remote_number, draw(st.sampled_from(REMOTE_LINKS)), draw(st.sampled_from(SCOPES))))
        shops.append(Shop(id='SH%d' % number, store=draw(st.sampled_from([store[0] for store in stores])),
                          configs=tuple(draw(st.lists(st.sampled_from(config_scopes), min_size=min_configs, max_size=2))), remotes=tuple(remotes),
                          import_job=draw(st.one_of(st.none(), st.sampled_from(PAUSED[:2]))),
                          sync_job=draw(st.one_of(st.none(), st.sampled_from(PAUSED))),
                          job_suffix_lies=draw(st.booleans()), job_rows_bare=draw(st.booleans())))
    foreign = tuple(Remote('FX%d' % number, link, draw(st.sampled_from(SCOPES)))
                    for number, link in enumerate(draw(st.lists(st.sampled_from(FOREIGN_LINKS), max_size=2))))
    switches = (('remote_list_shape', draw(st.sampled_from(['wrapped', 'array']))),
                ('total_header', draw(st.booleans())),
                ('expired_token_status', draw(st.sampled_from([401, 403]))),
                ('order_routing', draw(st.booleans())),
                ('store_api', draw(st.sampled_from(['both', 'admin']))))
    return World(stores=stores, shops=tuple(shops), foreign=foreign, switches=switches)


# --- faults ----------------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Faults:
    """The emulator's fault rules for one action; `rules` go to set_faults() as they are."""

    rules: Tuple[str, ...]  # each rule as compact JSON, so the repr shows exactly what was injected

    def specs(self):
        return [json.loads(rule) for rule in self.rules]


def _rule(**spec):
    return json.dumps(spec, sort_keys=True)


def _counting(draw):
    """Which matching requests a rule hits: a few in a row after a start, or every Nth."""
    if draw(st.booleans()):
        return {'after': draw(st.integers(0, 12)), 'times': draw(st.integers(1, 3))}
    return {'every': draw(st.integers(4, 12))}


METHODS = st.sampled_from([None, 'GET', 'PUT'])


@st.composite
def fault_rules(draw, login):
    """One fault rule. Token expiry is drawn only for login environments: a seeded token never expires."""
    kinds = ['latency', 'rate_limit', 'burst', 'drop', 'ignore_write', 'lose_answer', 'slow', 'down']
    if login:
        kinds.append('expire_tokens')
    kind = draw(st.sampled_from(kinds))
    method = draw(METHODS)
    common = dict(method=method) if method else {}
    if kind == 'latency':
        return _rule(kind='latency', ms=draw(st.integers(20, 300)), **common)
    if kind == 'rate_limit':
        return _rule(kind='rate_limit', retry_after=1, **dict(common, **_counting(draw)))
    if kind == 'burst':
        return _rule(kind='status', status=draw(st.sampled_from([500, 502, 503, 504])), **dict(common, **_counting(draw)))
    if kind == 'drop':
        return _rule(kind='drop', **dict(common, **_counting(draw)))
    if kind in ('ignore_write', 'lose_answer'):
        return _rule(kind=kind, method='PUT', after=draw(st.integers(0, 4)), times=draw(st.integers(1, 2)))
    if kind == 'slow':  # slower than hotwax_oms_timeout; reads only, so that no late write lands after the run
        return _rule(kind='slow', ms=2500, method='GET', after=draw(st.integers(0, 12)), times=1)
    if kind == 'down':
        return _rule(kind='down', seconds=draw(st.integers(1, 4)), after=draw(st.integers(0, 20)))
    return _rule(kind='expire_tokens', **dict(common, **_counting(draw)))


def faults(login):
    return st.lists(fault_rules(login), max_size=3).map(lambda rules: Faults(tuple(rules)))


# --- the operator ----------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Action:
    """One command of the operator: `rollback`, `rollback --check` or `restore`, perhaps killed with SIGKILL.

    `kill_after` is the number of OMS requests after which ansible-playbook and every process it started are
    killed (None: the run ends by itself). A killed command is always run again at once, without the kill.
    `reopen` (rollbacks only): before this rollback someone reopened by hand, in Company, every `every`-th selected
    record, store and job that is closed, the records to `scope`, the stores to Y, the jobs to N (then a new
    incident). `only` (restores only): the restore is limited to every other selected shop and store, starting
    at position `only` (0 or 1), with rollback_shop_ids and rollback_product_store_ids.
    """

    command: str
    faults: Faults
    kill_after: Optional[int] = None
    reopen: Optional[Tuple[int, Optional[str]]] = None
    only: Optional[int] = None


REOPEN_SCOPES = ('SHOP_READ_ACCESS', 'SHOP_RW_ACCESS', CUSTOM_SCOPE, None)
# The ways back after the first rollback. 'partial' is a restore limited with rollback_shop_ids and
# rollback_product_store_ids to every other selected shop and store; 'reopened' is a new incident after someone
# reopened some of what is closed by hand; a restore run again after a full one compares and writes nothing.
# Putting one shop back first is what people do after an incident (it comes three times), and a new incident is what
# the snapshot's merge is for (twice).
WAYS_BACK = (
    ('partial', 'restore'),
    ('reopened', 'restore'),
    ('partial', 'restore'),
    ('restore',),
    ('partial', 'restore'),
    ('reopened', 'restore'),
    ('partial', 'reopened'),
    ('restore', 'restore'),
    ('check', 'restore'),
)
FIRST = 8  # one scenario in this many first runs a restore with no snapshot (refused), one a check-mode rollback


@st.composite
def operator_plans(draw, login, partial=True):
    """The operator's actions in the order an incident has them: a rollback, then one of WAYS_BACK. A restore comes
    only after a rollback, but now and then one is run first, to see it refused. A restore is killed one time in
    two, anywhere from before its first request to after its last; a rollback one time in four (a killed command is
    run again). Without ``partial`` no way back has a partial restore."""
    first = draw(st.integers(1, FIRST))
    kinds = {FIRST: ('refusal', 'rollback'), FIRST - 1: ('check', 'rollback')}.get(first, ('rollback',))
    steps = []
    for kind in kinds + draw(st.sampled_from([way for way in WAYS_BACK if partial or 'partial' not in way])):
        action_faults = draw(faults(login))
        if kind in ('refusal', 'partial', 'restore'):
            killed = None if kind == 'refusal' else draw(st.one_of(st.none(), st.integers(0, 30)))
            steps.append(Action('restore', action_faults, kill_after=killed,
                                only=draw(st.integers(0, 1)) if kind == 'partial' else None))
            continue
        reopen = draw(st.tuples(st.integers(1, 2), st.sampled_from(REOPEN_SCOPES))) if kind == 'reopened' else None
        steps.append(Action('check' if kind == 'check' else 'rollback', action_faults, reopen=reopen,
                            kill_after=draw(st.one_of(st.none(), st.none(), st.none(), st.integers(0, 25)))))
    return steps


@dataclasses.dataclass(frozen=True)
class Scenario:
    world: World
    login: bool  # the environment logs in with username/password (else a long-lived token)
    token_expiry: Tuple[Tuple[str, int], ...]  # token_ttl / token_max_requests, for login environments
    selection: Tuple[Tuple[str, object], ...]  # role variables: shops, stores, targets, pause_jobs
    actions: Tuple[Action, ...]

    def role_vars(self):
        return dict(self.selection)

    def selected(self):
        """``(shops, stores)``: the ids the selection names, sorted ('all' read as every one of the world)."""
        role_vars = self.role_vars()
        shops, stores = role_vars['rollback_shop_ids'], role_vars['rollback_product_store_ids']
        return (sorted([shop.id for shop in self.world.shops] if shops == ['all'] else shops),
                sorted([store[0] for store in self.world.stores] if stores == ['all'] else stores))

    def partial_selection(self, action):
        """``(shops, stores)`` of a restore limited to every other selected shop and store, or None."""
        if action.command != 'restore' or action.only is None:
            return None
        shops, stores = self.selected()
        return (shops[action.only::2] or shops[:1], stores[action.only::2] or stores[:1])


@st.composite
def selections(draw, world):
    shop_ids = [shop.id for shop in world.shops]
    store_ids = [store[0] for store in world.stores]
    shops = draw(st.one_of(st.just(['all']), st.lists(st.sampled_from(shop_ids), min_size=1, unique=True)))
    stores = draw(st.one_of(st.just(['all']), st.lists(st.sampled_from(store_ids), min_size=1, unique=True)))
    targets = draw(st.sampled_from([['remote', 'config'], ['remote'], ['config']]))
    return (('rollback_shop_ids', shops), ('rollback_product_store_ids', stores), ('rollback_targets', targets),
            ('rollback_pause_jobs', draw(st.booleans())))


@st.composite
def scenarios(draw, world_strategy=None, plan=None, login=None, selection=None):
    """A scenario; ``plan(login)`` may give the strategy of the action list, to aim at one kind of bug."""
    world = draw(worlds() if world_strategy is None else world_strategy)
    login = draw(st.booleans()) if login is None else login
    expiry = ()
    if login:
        expiry = tuple(draw(st.sampled_from([(), (('token_ttl', 3),), (('token_max_requests', 6),),
                                             (('token_max_requests', 15),)])))
    selection = selection or draw(selections(world))
    shops, stores = Scenario(world, login, expiry, selection, ()).selected()
    # a restore can leave something closed only when the selection has two shops or two stores
    steps = draw(plan(login) if plan is not None else operator_plans(login, partial=len(shops) > 1 or len(stores) > 1))
    return Scenario(world=world, login=login, token_expiry=expiry, selection=selection, actions=tuple(steps))
