"""KeyFooter: Textual's Footer with Quit and Help first, so no width loses them.

At 60 columns the footer cannot show every key; the ones cut are those at the right
end, which were Quit and Help. Below ``COMPACT_BELOW`` columns it is also compact and
leaves out the palette key (ctrl+p still works, and ? lists it).
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

COMPACT_BELOW = 80
FIRST = ("quit", "help")
"""Actions whose keys come first."""


class KeyFooter(Footer):
    """The key bar: Quit and Help first, compact on narrow terminals."""

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())

        def rank(widget: object) -> int:
            if isinstance(widget, FooterKey):
                action = widget.action.rpartition(".")[2]
                if action in FIRST:
                    return FIRST.index(action)
            return len(FIRST)

        yield from sorted(widgets, key=rank)  # stable: the rest keep their order

    def _on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < COMPACT_BELOW
        if narrow != self.compact:
            self.compact = narrow
            self.show_command_palette = not narrow
            self.call_after_refresh(self.recompose)
