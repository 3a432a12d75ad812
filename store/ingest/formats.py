"""The file formats ``import`` and ``export`` accept, named apart from the code that
reads and writes them: the CLI's argument parser needs the names on every start, the
importers and exporters (and what they import) only when used."""

IMPORT_FORMATS = ("txt", "jsonl", "json", "csv", "tsv", "rss", "atom", "feed")
"""What ``import --format`` accepts; rss, atom and feed all mean a feed (feedparser
tells them apart)."""

EXPORT_FORMATS = ("jsonl", "csv", "md")

EXPORT_COLUMNS = ("id", "title", "body", "source", "date", "url", "author", "guid", "feed",
                  "tags", "topics")
"""The fields of an exported item, in order: the header of newsdesk's own CSV, which
the CSV importer recognises to undo the export's formula protection (store.text.csvsafe)."""
