"""User state apart from content: tags, read marks, saved searches, the journal."""
