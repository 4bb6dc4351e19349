"""Reports as CSV files: the routes, the columns a caller may read, their cost, and the rows."""
