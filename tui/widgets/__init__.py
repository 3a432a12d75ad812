"""The panes of the newsdesk TUI.

Names are loaded on first use, so importing one widget module (or this package)
does not import every widget and Textual with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.widgets.item_list import ItemList, RowData, RowSource

__all__ = ["ItemList", "RowData", "RowSource"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tui.widgets import item_list

        return getattr(item_list, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
