"""Named entities: extraction, gazetteers, merging of variants."""
