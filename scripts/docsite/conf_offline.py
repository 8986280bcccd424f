
# ---------------------------------------------------------------------------------------------------------------------
# hotwax.oms: scripts/build-docsite.sh appends this file to the conf.py that `antsibull-docs sphinx-init` writes.
# The site must build and read without network: no intersphinx, no theme links to other sites, and references into
# Ansible's own documentation (the action_plugins page, ansible.builtin modules) shown as plain text. The guides in
# docs/*.md are the site's extra docs: each replaces its stub of the same name from docs/docsite/rst/, and the
# playbooks are copied where docs/docsite/rst/playbooks.rst includes them from.
import os
import re
import shutil
from pathlib import Path

from docutils import nodes

HOTWAX_OMS_ROOT = Path(os.environ['HOTWAX_OMS_ROOT'])
OWN_LABELS = 'ansible_collections.hotwax.oms.'

extensions = ['sphinx_antsibull_ext', 'myst_parser']
intersphinx_mapping = {}
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
# The guides link to their own sections by the anchors GitHub gives headings (#the-floor).
myst_heading_anchors = 3
html_theme_options = {'topbar_links': {}, 'show_extranav': False, 'show_rtd_ethical_ads': False}
html_show_sphinx = False
# A guide's code block without a language is console output, not YAML.
highlight_language = 'none'
# A Markdown link to a file that is no page of the site: [text](../README.md#install).
REPOSITORY_LINK = re.compile(r'\[([^\]]+)\]\((?!https?:|mailto:|#)([^)#\s]+)(#[^)\s]*)?\)')


def put_guides_in_place(app, config):
    """The guides of docs/ replace their stubs (keeping their labels); the playbooks go where playbooks.rst includes them from."""
    extra_docs = Path(app.srcdir) / 'collections' / 'hotwax' / 'oms' / 'docsite'
    guides = dict((stub, HOTWAX_OMS_ROOT / 'docs' / (stub.stem + '.md')) for stub in extra_docs.glob('*.rst'))
    guides = dict((stub, guide) for stub, guide in guides.items() if guide.is_file())
    pages = set(guide.name for guide in guides.values())
    for stub, guide in guides.items():
        stub.unlink()
        # The stub's label, so that references to the page keep working.
        label = '(%sdocsite.%s)=\n' % (OWN_LABELS, stub.stem)
        text = REPOSITORY_LINK.sub(lambda link: link_or_path(link, guide.parent, pages), guide.read_text(encoding='utf-8'))
        (extra_docs / guide.name).write_text(label + text, encoding='utf-8')
    for source, target in (('playbooks', 'playbooks'), ('docs/examples', 'examples')):
        destination = Path(app.srcdir) / target
        destination.mkdir(exist_ok=True)
        for playbook in (HOTWAX_OMS_ROOT / source).glob('*.yml'):
            shutil.copyfile(playbook, destination / playbook.name)


def link_or_path(link, guide_dir, pages):
    """A link to another guide stays; a link to another file of the repository (the README, a test) becomes its text
    and the file's path: the site is read offline."""
    words, target = link.group(1), link.group(2)
    if target in pages:
        return link.group(0)
    path = os.path.relpath((guide_dir / target).resolve(), HOTWAX_OMS_ROOT.resolve())
    return '%s (`%s` in the repository)' % (words, path)


def plain_text_for_other_sites(app, env, node, contnode):
    """A reference into another docs site (the site has no intersphinx) reads as its text, without a link."""
    target = node.get('reftarget', '')
    if node.get('refdomain') == 'std' and node.get('reftype') == 'ref' and not target.startswith(OWN_LABELS):
        return nodes.inline('', contnode.astext())
    return None


def home_link_inside_the_site(app, pagename, templatename, context, doctree):
    """The theme's home link is '/', which on a site opened from disk is the file system's root."""
    context['theme_documentation_home_url'] = context['pathto']('index')


def setup(app):
    app.connect('config-inited', put_guides_in_place)
    app.connect('missing-reference', plain_text_for_other_sites)
    app.connect('html-page-context', home_link_inside_the_site)
