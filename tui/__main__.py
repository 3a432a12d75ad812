"""``python -m tui``: the same as the ``newsdesk`` command."""

from tui.cli import main

raise SystemExit(main())
