"""What import derives from the text: topic rules, entities."""
