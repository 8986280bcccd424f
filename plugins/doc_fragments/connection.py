# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """How every hotwax.oms module reaches the OMS, documented once."""

    DOCUMENTATION = r'''
options:
  oms_url:
    description:
      - Base URL of the HotWax Commerce OMS (Maarg) instance, for example C(https://acme-maarg.hotwax.io).
      - The modules add C(/rest/s1/) themselves. A URL given with C(/rest/s1) or C(/rest/s1/) on its end is taken as
        the same OMS (the path is dropped, not doubled); a trailing slash is fine.
      - If not set, the environment variable E(HOTWAX_OMS_URL) is used.
    type: str
    required: true
  token:
    description:
      - A bearer JWT, for example one issued in the OMS under Settings > JWT Tokens. The usual credential for automation.
      - Give either O(token), or O(username) with O(password); not both.
      - If not set, the environment variable E(HOTWAX_OMS_TOKEN) is used.
    type: str
  username:
    description:
      - OMS user to log in as with O(password) (C(admin/login)). On a login session, a request refused with 401 or 403
        to a token from an earlier login logs in again and is repeated, as often as tokens expire. A 403 to a token just
        issued is a permission error, and a token just issued refused twice in a row is an authentication error.
      - A module logs in once, before it reads side by side. A refused login is never sent again, so a wrong password
        costs one login request (an OMS may lock an account after a few); the module's failure then returns
        C(login_failed=true).
      - A server older than Maarg 4.4.0 without C(admin/login) (404) is logged in at C(order-routing/login), the same
        service.
      - If not set, the environment variable E(HOTWAX_OMS_USERNAME) is used.
    type: str
  password:
    description:
      - Password of O(username).
      - If not set, the environment variable E(HOTWAX_OMS_PASSWORD) is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificate of the OMS. Turn off only for a test instance.
      - If not set, the environment variable E(HOTWAX_OMS_VALIDATE_CERTS) is used.
    type: bool
    default: true
  ca_path:
    description:
      - Path to a CA bundle (PEM) to verify the OMS certificate with, for instances behind a private CA.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request before it counts as failed (and is retried).
      - A request the OMS accepts but does not answer within O(timeout) is sent again once only, whatever O(retries)
        says, and then fails saying what it waited for. So with the defaults an OMS that accepts connections and never
        answers fails a call after 2 x 30 = 60 seconds, and a run within 75 seconds (a login that is answered
        included). Answers such as 429 and 503 keep O(retries); a long run that is answered is never cut short.
    type: int
    default: 30
  retries:
    description:
      - How many times one request is retried after HTTP 429 (waiting as long as its C(Retry-After) says,
        at most 60 seconds), 502, 503, 504 or a dropped connection; a request without an answer within O(timeout) is
        retried once only.
      - Retries back off exponentially (0, 1, 2, 4, 8... seconds). V(0) disables retries.
      - Errors a retry cannot mend fail at once, with advice - a certificate that fails verification, HTTPS to a port
        that speaks plain HTTP, plain HTTP to a port that speaks HTTPS, a host name that does not resolve, a server
        that asks for a TLS client certificate or refuses the one given.
      - After 3 requests in a row got no answer at all (each after its retries), the OMS counts as gone and the module
        sends nothing more; it fails naming what is done, not done and unknown.
    type: int
    default: 5
  retry_action:
    description:
      - What to do about the retries a module made (every one is counted, with its reason - C(HTTP 429),
        C(HTTP 503), C(timeout), C(connection reset)...). The module's result says how many and why, either way.
      - V(warn) also warns, for example C(the OMS needed 15 retries, 12 x HTTP 429 and 3 x HTTP 503 ... it is
        struggling) (the exact wording may change), so that a run that succeeded still tells the OMS is in trouble.
        V(ignore) does not warn.
    type: str
    choices: [ignore, warn]
    default: warn
  proxy:
    description:
      - An HTTP proxy to reach the OMS through, for example C(http://proxy.example.com:3128), for this environment
        alone. Credentials go in the URL (C(http://user:password@proxy.example.com:3128)); the whole value is
        C(no_log) and the credentials are masked in every message.
      - When set, it wins over the process environment (E(HTTPS_PROXY), E(HTTP_PROXY), E(NO_PROXY)); when not set,
        those are used as usual.
      - An C(https://) OMS is reached through a tunnel the proxy opens (C(CONNECT)), so the proxy sees the host and
        port, never a path or a token, and the OMS's certificate is checked as without a proxy (O(validate_certs),
        O(ca_path)).
    type: str
  client_cert:
    description:
      - A TLS client certificate (PEM) to present to the OMS, or to a gateway in front of it that asks for one (mTLS).
        It may hold the private key too; else give O(client_key).
    type: path
  client_key:
    description:
      - The unencrypted private key (PEM) of O(client_cert), when it is a file of its own. Needs O(client_cert).
    type: path
  headers:
    description:
      - Extra headers sent with every request, for example the key of an API gateway in front of the OMS in an
        C(X-Api-Key) header. The values are C(no_log) and masked in every message; the names are shown.
      - C(Authorization), C(Content-Type), C(Accept), C(Content-Length), C(Host), C(Cookie) and C(Transfer-Encoding)
        are set by the modules themselves and refused here. C(User-Agent) (the collection's name) and
        C(Accept-Encoding) (C(gzip, deflate)) may be replaced here, in any case.
    type: dict
requirements:
  - requests, with urllib3 2 or later (which sends the calls)
notes:
  - Options are taken first from the task (C(module_defaults) with the action group C(group/hotwax.oms.hotwax)
    included), then from the host's inventory variables C(hotwax_oms_url) and C(hotwax_oms_<option>) (for example
    C(hotwax_oms_token), C(hotwax_oms_proxy)), then from the environment variables named above. A task that gives its
    own O(oms_url) takes nothing from the host's variables, and one that gives a credential takes none of the host's
    credentials. On a host with C(hotwax_oms_url), an option neither gives takes its default, never the shell's
    environment variable, which may be another environment's.
  - O(retry_action), O(proxy), O(client_cert), O(client_key) and O(headers) have no environment variable, so that the
    settings (and credentials) of one shell never reach another environment; without O(proxy), the usual
    E(HTTPS_PROXY), E(HTTP_PROXY) and E(NO_PROXY) apply, and without O(ca_path) E(REQUESTS_CA_BUNDLE). A C(~/.netrc)
    file is never read; the credential is the token, or the username and password, given here.
  - Every task that talked to the OMS also returns C(retries), a dict of the retries its calls needed (C(count)) and
    their reasons with how often each came (C(reasons), keyed C(HTTP 429), C(HTTP 503), C(timeout), C(connection
    reset) and the like); with O(retry_action=warn) it warns when there were any.
  - No secret (token, password, proxy credentials, client key, extra header values, or the credentials the OMS keeps
    for each Shopify shop) ever appears in a return value, a diff, a warning or an error message.
  - The modules keep no cookie and send none back; every request authenticates by its C(Authorization) header.
  - Each module's work runs in the task's Ansible worker on the controller, through its action plugin; a task that is
    delegated, uses another connection than C(local), C(become), C(async) or its own C(environment) runs the module
    on its host, with the same results.
  - Lists are read 500 rows a page. Only C(X-Total-Count) is a total to stop on; without it (or with only the
    answer's C(<entity>Count), whose meaning is private) pages are walked until one adds no row. A page shorter than
    asked is not the end; the next pages are asked at the size the server answered. A server that repeats a page
    (it ignores C(pageIndex)), a list of more than 1000 pages, or one with fewer rows than a count states fails the
    module, which never works on a partial list.
'''

    ATTRIBUTES = r'''
attributes:
  check_mode:
    description: Reads only, sends no write, and reports what would change.
    support: full
  diff_mode:
    description: Shows the value of every record that changes, before and after.
    support: full
  action_group:
    description: Use C(group/hotwax.oms.hotwax) in C(module_defaults) to set default values for this module.
    support: full
    membership:
      - hotwax.oms.hotwax
'''

    INFO_ATTRIBUTES = r'''
attributes:
  check_mode:
    description: Only reads; runs the same in check mode.
    support: full
    details: This action does not modify state.
  diff_mode:
    description: Reads only, so there is never a diff.
    support: N/A
    details: This action does not modify state.
  action_group:
    description: Use C(group/hotwax.oms.hotwax) in C(module_defaults) to set default values for this module.
    support: full
    membership:
      - hotwax.oms.hotwax
'''
