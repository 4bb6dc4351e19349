"""DataLoaders, built fresh for every request; each is made on first use and found by its class."""

from __future__ import annotations

from loaders.base import LoadContext, Loaders, SourceLoader
from loaders.invoice import InvoiceLinesPageKey, InvoicePageKey
from loaders.usage import UsageFilter, UsagePageKey

__all__ = [
    "InvoiceLinesPageKey",
    "InvoicePageKey",
    "LoadContext",
    "Loaders",
    "SourceLoader",
    "UsageFilter",
    "UsagePageKey",
]
