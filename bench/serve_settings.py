"""Settings for bench/serve.py only: Dateline's own, with the bench URLconf on top.

Nothing changes but the URL map, which adds the constant-response peer (bench/serve_urls.py).
"""

from dateline.settings import *

ROOT_URLCONF = "serve_urls"
