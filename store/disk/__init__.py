"""The on-disk format, owned: file modes, safe output, links (more moves here)."""
