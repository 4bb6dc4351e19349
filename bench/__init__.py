"""corpcare's benchmark suite: `python -m bench` (see BENCHMARKS.md). Never part of the tests' pass/fail."""
