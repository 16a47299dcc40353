#!/usr/bin/env python
"""Kept for tools that expect manage.py; the documented command is `vanguard`."""

from vanguard.cli import main

if __name__ == "__main__":
    main()
