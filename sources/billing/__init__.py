"""The billing backend, one source per billing domain, each beside its SQL: the catalogue
(``catalogue.py``), each line's products (``products.py``), bundle balances (``balances.py``),
usage records (``usage.py``), charges summed (``spending.py``), spending policies
(``policy_reads.py``), billing accounts and invoices (``invoices.py``).

Every read is one batched statement, sums computed by the database. Billing knows lines only
by id: row scope reaches it as the ids of lines the CRM already returned within scope, or, for
company documents (accounts, invoices), as the scope itself, applied by ``company_predicate``.
"""
