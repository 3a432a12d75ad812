"""Files and feeds become records: the importers and their formats, and feeds/
(subscriptions, fetching over HTTP, OPML)."""
