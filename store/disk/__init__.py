"""The on-disk format, owned: layout, atomic writes, the lock, file modes, links, safe output."""
