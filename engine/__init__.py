"""The execution engine: schema building, the executor, limits and cost, cost charging, shared event answers."""
