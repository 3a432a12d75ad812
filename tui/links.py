"""Opening an item's link in a web browser: ``$BROWSER`` if set, else Python's
``webbrowser``. Plain Python (the screen calls it in a worker thread).

The link is untrusted text: only an ``http(s)://`` address is ever handed to a
browser, as one argument, so a link such as ``--help`` or ``file:///etc`` cannot
become an option or open a local file.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from collections.abc import Mapping

WEB_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f]+", re.IGNORECASE)


def browser_command(url: str, environ: Mapping[str, str]) -> list[str] | None:
    """The command ``$BROWSER`` gives for ``url`` (its first entry when it lists
    several, ``%s`` replaced by the link, else the link appended); None when unset."""
    browser = environ.get("BROWSER", "").strip()
    if not browser:
        return None
    parts = shlex.split(browser.split(os.pathsep)[0])
    if not parts:
        return None
    if any("%s" in part for part in parts):
        return [part.replace("%s", url) for part in parts]
    return [*parts, url]


def open_link(url: str | None, environ: Mapping[str, str] | None = None) -> tuple[bool, str]:
    """Open ``url`` without waiting for the browser; (opened, what to tell the user)."""
    env = os.environ if environ is None else environ
    if not url:
        return False, "This item has no link."
    if not WEB_URL.fullmatch(url):
        return False, "The item's link is not a web address (http or https): not opened."
    command = browser_command(url, env)
    if command is not None:
        try:
            subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            return False, f"$BROWSER could not be run ({command[0]}: {exc.strerror})."
        return True, f"Opened the link with {os.path.basename(command[0])}."
    import webbrowser

    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False, f"No web browser found: set $BROWSER to open links. The link: {url}"
    if type(browser) is webbrowser.GenericBrowser:  # text mode: it would take the terminal
        return False, f"Only a text-mode browser was found: set $BROWSER. The link: {url}"
    if not browser.open(url):
        return False, f"The web browser did not open the link: {url}"
    return True, "Opened the link in the web browser."
