"""Offline stand-in for the get-pip.py bootstrap script that ansible-test downloads.

ansible-test bootstraps pip into each of its fresh virtual environments by running get-pip.py, which it fetches from a
host that this project's machines cannot reach; it reads the script from its cache first. scripts/release-gates.sh
copies this file there under the name ansible-test looks for. It gives the same result without the download: pip from
the interpreter's own ensurepip, then `pip install` of what ansible-test asked for (e.g. pip==24.2) from the index.
"""

import subprocess
import sys


def main():
    # get-pip.py options that `pip install` does not know.
    args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'])
    subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--disable-pip-version-check', '--quiet'] + args)


if __name__ == '__main__':
    main()
