"""Text: boilerplate rules, the article row, metadata values, language, URLs, fingerprints."""
