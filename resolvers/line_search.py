"""What a line search's text asks for: part of a name, and, when the text is a phone number as
people type it, the numbers it can mean.

A number typed with a leading ``+`` or the country's international or national prefix names the
start of a number: ``0170 636``, ``0049 170 636`` and ``+49 170 636`` all find the numbers that
start ``+49170636`` in Germany, read with ``phonenumbers`` by the country of the company whose
lines are searched. Any other run of digits is found anywhere in a number (``170 636 6837``,
``6366``). Spaces, dashes, dots, slashes and brackets are what people type between digits.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumberFormat

from request.context import Context
from sources.crm.search import LineSearch

_PHONE = re.compile(r"\+?[\d\s\-./()]*\d[\d\s\-./()]*", re.ASCII)
_NOT_DIGIT = re.compile(r"\D", re.ASCII)


async def line_search(context: Context, text: str, customer_ids: frozenset[int] | None) -> LineSearch:
    """``customer_ids``: the companies whose lines are searched (None: the caller's scope); their
    countries are read (one statement) only for a number typed without a leading ``+``."""
    search = LineSearch.of_name(text)
    if _PHONE.fullmatch(text) is None:
        return search
    digits = _NOT_DIGIT.sub("", text)
    if text.startswith("+"):
        return LineSearch(search.name, (_international(text),))
    owners = customer_ids if customer_ids is not None else context.principal.scope.customer_ids
    patterns = {
        pattern
        for country in await context.sources.crm.countries(owners)
        if (pattern := _start(text, digits, country)) is not None
    }
    return LineSearch(search.name, tuple(sorted(patterns)) or (f"%{digits}%",))


def _international(text: str) -> str:
    """The pattern of the numbers that start as ``+49 170 …`` does; "(0)", the national prefix some
    write in brackets after the country code, is no digit of the number."""
    return (_e164(text, None) or "+" + _NOT_DIGIT.sub("", text.replace("(0)", ""))) + "%"


def _start(text: str, digits: str, country: str) -> str | None:
    """The pattern of the numbers that start as ``text`` does when read in ``country`` (None: the
    text starts with neither of the country's prefixes, so it is part of a number)."""
    metadata = PhoneMetadata.metadata_for_region(country)
    if metadata is None:
        return None
    code = str(metadata.country_code)
    for prefix, replacement in ((metadata.international_prefix, ""), (metadata.national_prefix, code)):
        if prefix and prefix.isdigit() and digits.startswith(prefix):
            # A number still being typed (or none at all): the digits after the prefix.
            return (_e164(text, country) or f"+{replacement}{digits[len(prefix) :]}") + "%"
    return None


def _e164(text: str, country: str | None) -> str | None:
    """The number in E.164 form when ``text`` is a whole valid number (``phonenumbers`` reads
    the start of one unreliably: it keeps a national prefix when too few digits follow)."""
    try:
        number = phonenumbers.parse(text, country)
    except NumberParseException:
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164) if phonenumbers.is_valid_number(number) else None
