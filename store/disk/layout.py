"""Default locations: the store folder and the config folder.

``NEWSDESK_STORE`` and ``NEWSDESK_CONFIG_DIR`` override the platform defaults, so
scripts and tests never touch a user's real data.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_path, user_data_path


def default_store_dir() -> Path:
    """The store used when no ``--store`` is given."""
    env = os.environ.get("NEWSDESK_STORE")
    if env:
        return Path(env).expanduser()
    return user_data_path("newsdesk") / "store"


def config_dir() -> Path:
    """Where the user's settings and topic rules live."""
    env = os.environ.get("NEWSDESK_CONFIG_DIR")
    if env:
        return Path(env).expanduser()
    return user_config_path("newsdesk")


def user_topics_file() -> Path:
    """The user's topic rules, which extend or override the shipped ones."""
    return config_dir() / "topics.toml"
