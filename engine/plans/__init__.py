"""Compiled plans for completing objects (``compile.py``): of lists (``run.py``) and single ones (``single.py``)."""

from __future__ import annotations

from engine.plans.compile import Compiler, Miss, Plan, Uncovered
from engine.plans.run import complete_planned

__all__ = ["Compiler", "Miss", "Plan", "Uncovered", "complete_planned"]
