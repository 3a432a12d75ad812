"""Text cleaning: controls, bidi, entity remnants, HTML to text, dates, folding."""
