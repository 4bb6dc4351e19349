"""The corpcare GraphQL types, inputs, enums and root types, one module per domain (``engine/build.py``
assembles them)."""
