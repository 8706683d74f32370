"""Quality and speed harnesses; each module with a ``main`` runs as one command."""
