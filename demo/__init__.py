"""Deterministic demo data for the CRM, billing and state databases."""

from demo.generator import SeedSummary, seed
from demo.users import DEMO_USERS

__all__ = ["DEMO_USERS", "SeedSummary", "seed"]
