#!/usr/bin/env python
"""Django's usual entry point, kept for tools that expect it; `dateline` is the same thing."""

import sys

from dateline.cli import main

if __name__ == "__main__":
    sys.exit(main())
