"""Files and feeds become records: the importers and their formats."""
