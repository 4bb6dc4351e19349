"""Background work: the bulk-operation worker and the recovery pass."""
