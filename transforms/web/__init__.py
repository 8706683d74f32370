"""The web: the HTTP client, the private-address guard, feed fetching and linked pages."""
