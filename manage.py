#!/usr/bin/env python
"""Django's manage.py; the installed ``kefu`` command does the same."""

from kefu.cli import main

if __name__ == "__main__":
    main()
