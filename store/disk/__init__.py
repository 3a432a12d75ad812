"""The on-disk format, owned: layout, atomic writes, the lock, chunked JSON."""
