"""The HTML docs site `make docs` builds: every module, plugin, role and guide has its page, and the site's index, the
collection's page and a module page render in headless Chromium (title, options table, every internal link resolving
to a built file), with no link into another docs site. A screenshot of the module page is kept for CI's output.

Without Chromium a developer machine skips these tests, saying what is missing; with CI=true they fail."""

import fcntl
import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from tests.conftest import REPO

SITE = REPO / 'build' / 'docsite' / 'build' / 'html'
COLLECTION_PAGES = SITE / 'collections' / 'hotwax' / 'oms'
MODULE_PAGE = COLLECTION_PAGES / 'hotwax_shop_access_module.html'
SCREENSHOT = REPO / 'build' / 'docsite-screenshots' / 'hotwax_shop_access_module.png'
# The only other site the pages may link to: the collection's own repository (its issues, SECURITY.md).
OWN_REPOSITORY = 'https://github.com/hotwax/ansible-collection-oms'


@pytest.fixture(scope='session')
def browser():
    """Debian's chromium package (scripts/install-chromium.sh installs it when `make test` runs as root)."""
    for name in ('chromium', 'chromium-browser'):
        found = shutil.which(name)
        if found:
            return found
    message = ('headless Chromium is missing, so the docs site is not opened in a browser: install Debian\'s package '
               '(sudo apt-get install -y chromium), or run `make test` as root, which installs it')
    if os.environ.get('CI') == 'true':
        pytest.fail(message)
    pytest.skip(message)
    return None


@pytest.fixture(scope='session')
def site():
    """`make docs` once per pytest run, whichever xdist worker comes first; the others wait for it and reuse it."""
    run_id = os.environ.get('PYTEST_XDIST_TESTRUNUID') or str(os.getpid())
    marker = REPO / 'build' / 'docsite-built-for-run'
    marker.parent.mkdir(parents=True, exist_ok=True)
    with open(REPO / 'build' / 'docsite.lock', 'w', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (marker.exists() and marker.read_text(encoding='utf-8') == run_id and (SITE / 'index.html').exists()):
            proc = subprocess.run(['make', '--no-print-directory', '-s', 'docs'], cwd=REPO, capture_output=True,
                                  text=True, timeout=600, check=False)
            assert proc.returncode == 0, 'make docs failed:\n' + proc.stdout[-4000:] + proc.stderr[-4000:]
            marker.write_text(run_id, encoding='utf-8')
    return SITE


class PageParser(HTMLParser):
    """What a rendered page holds: its title, the ids it defines, its links, and its tables' classes."""

    def __init__(self):
        super().__init__()
        self.title = ''
        self.in_title = False
        self.ids = set()
        self.hrefs = []
        self.table_classes = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get('id'):
            self.ids.add(attrs['id'])
        if tag == 'a' and attrs.get('name'):
            self.ids.add(attrs['name'])
        if tag == 'a' and attrs.get('href') is not None:
            self.hrefs.append(attrs['href'])
        if tag == 'table' or (tag == 'div' and 'table' in (attrs.get('class') or '')):
            self.table_classes.append(attrs.get('class') or '')
        self.in_title = tag == 'title'

    def handle_endtag(self, tag):
        if tag == 'title':
            self.in_title = False

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        self.text.append(data)


def parse(html):
    parser = PageParser()
    parser.feed(html)
    return parser


def chromium_run(browser, *args):
    with tempfile.TemporaryDirectory(prefix='hotwax-docs-chromium-') as profile:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        command = [browser, '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                   '--user-data-dir=' + profile] + list(args)
        proc = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, 'chromium failed: %s\n%s' % (' '.join(command), proc.stderr[-2000:])
    return proc.stdout


def rendered(browser, page):
    """The page as Chromium renders it (its DOM after the theme's scripts ran)."""
    return parse(chromium_run(browser, '--virtual-time-budget=3000', '--dump-dom', page.as_uri()))


def broken_internal_links(page, hrefs):
    """Every link inside the site must reach a built file, and its #fragment an id of that file."""
    broken = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme or href.startswith('//'):
            continue
        target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
        if target.is_dir():
            target = target / 'index.html'
        if not target.is_file() or SITE.resolve() not in target.resolve().parents:
            broken.append('%s (no file %s)' % (href, target))
        elif parts.fragment and target.suffix == '.html' and unquote(parts.fragment) not in ids_of(target):
            broken.append('%s (no id %r in %s)' % (href, parts.fragment, target.name))
    return broken


def ids_of(path, cache={}):  # pylint: disable=dangerous-default-value
    if path not in cache:
        cache[path] = parse(path.read_text(encoding='utf-8')).ids
    return cache[path]


def paths(hrefs):
    return set(urlsplit(href).path for href in hrefs)


def links_to_other_sites(hrefs):
    return sorted(set(href for href in hrefs if urlsplit(href).scheme in ('http', 'https')
                      and not (href == OWN_REPOSITORY or href.startswith(OWN_REPOSITORY + '/'))))


def expected_pages():
    """Every module, filter and role of the collection, and every guide docs/docsite/extra-docs.yml lists."""
    pages = ['%s_module.html' % path.stem for path in (REPO / 'plugins' / 'modules').glob('*.py') if path.stem != '__init__']
    pages += ['%s_filter.html' % path.stem for path in (REPO / 'plugins' / 'filter').glob('*.py')]
    pages += ['%s_role.html' % path.name for path in (REPO / 'roles').iterdir() if (path / 'meta' / 'argument_specs.yml').exists()]
    extra_docs = yaml.safe_load((REPO / 'docs' / 'docsite' / 'extra-docs.yml').read_text(encoding='utf-8'))
    pages += ['docsite/%s.html' % entry for section in extra_docs['sections'] for entry in section['toctree']]
    return sorted(pages)


def test_the_site_has_a_page_for_every_module_plugin_role_and_guide(site):
    pages = expected_pages()
    assert 'hotwax_shop_access_module.html' in pages and 'rollback_role.html' in pages
    assert [page for page in pages if not (COLLECTION_PAGES / page).is_file()] == []
    # Each guide of docs/ is shown in full, not as its stub.
    for stub in (REPO / 'docs' / 'docsite' / 'rst').glob('*.rst'):
        guide = REPO / 'docs' / (stub.stem + '.md')
        if guide.exists():
            heading = guide.read_text(encoding='utf-8').splitlines()[0].lstrip('# ').replace('`', '')
            page = parse((COLLECTION_PAGES / 'docsite' / (stub.stem + '.html')).read_text(encoding='utf-8'))
            # Sphinx types curly quotes: type them back.
            assert heading in page.title.replace('\u201c', '"').replace('\u201d', '"'), (stub.stem, page.title)
            assert 'the site that make docs builds shows it here' not in ''.join(page.text), stub.stem


def test_the_site_index_renders_in_chromium(browser, site):
    page = rendered(browser, site / 'index.html')
    assert 'hotwax.oms' in page.title
    assert 'collections/hotwax/oms/index.html' in paths(page.hrefs)
    assert broken_internal_links(site / 'index.html', page.hrefs) == []
    assert links_to_other_sites(page.hrefs) == []


def test_the_collection_page_renders_in_chromium(browser, site):
    index = COLLECTION_PAGES / 'index.html'
    page = rendered(browser, index)
    assert page.title.startswith('Hotwax.Oms'), page.title
    # It leads to every page of the collection.
    assert [p for p in expected_pages() if p not in paths(page.hrefs)] == []
    assert broken_internal_links(index, page.hrefs) == []
    assert links_to_other_sites(page.hrefs) == []


def test_a_module_page_renders_in_chromium_with_its_options_table(browser, site):
    page = rendered(browser, MODULE_PAGE)
    assert page.title.startswith('hotwax.oms.hotwax_shop_access module'), page.title
    assert any('ansible-option-table' in classes for classes in page.table_classes), page.table_classes
    for option in ('shop_ids', 'access_scope', 'oms_url', 'token'):
        assert 'parameter-' + option in page.ids, option
    assert broken_internal_links(MODULE_PAGE, page.hrefs) == []
    assert links_to_other_sites(page.hrefs) == []

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    chromium_run(browser, '--hide-scrollbars', '--window-size=1280,1600', '--screenshot=' + str(SCREENSHOT), MODULE_PAGE.as_uri())
    width, height, pixels = png_pixels(SCREENSHOT)
    assert (width, height) == (1280, 1600)
    # Not a blank page: a rendered page has many shades (text, theme colours), a blank one a couple.
    assert len(set(pixels)) > 64
    print('docs site: screenshot of the module page: %s' % SCREENSHOT)


def png_pixels(path):
    """Width, height and the decompressed image data of a PNG (enough to tell a rendered page from a blank one)."""
    data = path.read_bytes()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG: %s' % path
    offset, image, width, height = 8, b'', 0, 0
    while offset < len(data):
        length, kind = struct.unpack('>I4s', data[offset:offset + 8])
        chunk = data[offset + 8:offset + 8 + length]
        if kind == b'IHDR':
            width, height = struct.unpack('>II', chunk[:8])
        elif kind == b'IDAT':
            image += chunk
        offset += 12 + length
    return width, height, zlib.decompress(image)
