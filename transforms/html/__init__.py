"""HTML pages: main text, and the title, authors, dates and topics a page states."""
