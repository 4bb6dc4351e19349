"""Service accounts: portal users for internal tools and scripts, who call with API keys only.

A service account is an ordinary portal user of its company, with a role and scope grants
like anyone's, so every permission and scope rule applies to it unchanged. What marks it is
its login, ``svc:<company code>:<name>``: corpcare makes such logins only for service
accounts, refuses a token (JWT) whose subject has that form, and issues API keys only to them.
"""

from __future__ import annotations

import re

SERVICE_PREFIX = "svc:"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_LONGEST_NAME = 80


def is_service_account(login: str) -> bool:
    return login.startswith(SERVICE_PREFIX)


def service_login(customer_code: str, name: str) -> str | None:
    """The login of a company's service account called ``name``; None when the name has no letters or digits."""
    slug = _NOT_SLUG.sub("-", name.lower()).strip("-")[:_LONGEST_NAME].strip("-")
    return f"{SERVICE_PREFIX}{customer_code.lower()}:{slug}" if slug else None
