"""The per-request context every resolver receives."""
