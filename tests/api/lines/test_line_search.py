"""Searching lines as people type: numbers in national or international form with the separators
people put in them, read by the company's country; names without case or accents."""

from __future__ import annotations

import pytest

from core.ids import from_global_id
from tests.api.access.test_access import codes
from tests.support import World

SEARCH = """query($s: String!) { subscribers(first: 2000, filter: {search: $s}) {
  totalCount nodes { id employeeName msisdn } } }"""
# Acme's lines (customer_admin's company; the demo companies are in Germany).
LINES = "select s.id, s.employee_name, s.msisdn from subscribers s where s.customer_id = 1"
# An oracle of its own for names: the German letters the demo's names hold, spelled without accents.
PLAIN_LETTERS = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "é": "e"})


async def acme_lines(world: World) -> dict[int, tuple[str, str]]:
    async with world.engines.crm.connect() as conn:
        return {key: (name, msisdn) for key, name, msisdn in (await conn.exec_driver_sql(LINES)).all()}


async def found(world: World, login: str, text: str) -> set[int]:
    page = (await world.data(login, SEARCH, {"s": text}))["subscribers"]
    assert page["totalCount"] == len(page["nodes"])
    return {from_global_id(node["id"])[1] for node in page["nodes"]}


def spelled(national: str) -> list[str]:
    """``0170 6366837`` as people write it."""
    prefix, rest = national[:4], national[4:]
    return [
        national,
        f"{prefix} {rest[:3]} {rest[3:]}",
        f"({prefix}) {rest[:3]}-{rest[3:5]} {rest[5:]}",
        f"{prefix}/{rest}",
        f"{prefix}-{rest[:3]}-{rest[3:]}",
        f"{prefix}.{rest[:3]}.{rest[3:]}",
        f"+49 {prefix[1:]} {rest}",
        f"+49 (0){prefix[1:]} {rest[:3]} {rest[3:]}",
        f"0049 {prefix[1:]} {rest}",
        f"+49{prefix[1:]}{rest}",
        f"{prefix[1:]} {rest[:3]} {rest[3:]}",  # without the national prefix: its digits anywhere
    ]


async def test_a_number_is_found_in_national_and_international_form_with_any_separators(world, customer_admin):
    lines = await acme_lines(world)
    key, (_, msisdn) = sorted(lines.items())[5]
    assert msisdn.startswith("+49") and len(msisdn) == 13
    for text in spelled("0" + msisdn[3:]):
        assert await found(world, customer_admin, text) == {key}, text


async def test_a_number_being_typed_finds_the_numbers_it_starts_or_is_part_of(world, customer_admin):
    lines = await acme_lines(world)
    msisdn = sorted(lines.values())[7][1]
    national = "0" + msisdn[3:]
    for typed in (national[:4], national[:6], f"{national[:4]} {national[4:6]}", f"({national[:4]}) {national[4:7]}"):
        digits = "".join(ch for ch in typed if ch.isdigit())
        starting = {key for key, (_, number) in lines.items() if number.startswith("+49" + digits[1:])}
        assert await found(world, customer_admin, typed) == starting and starting, typed
    for typed in (msisdn[:6], f"+49 {msisdn[3:6]} {msisdn[6:8]}", f"0049 {msisdn[3:7]}"):
        digits = "".join(ch for ch in typed if ch.isdigit()).removeprefix("00")
        starting = {key for key, (_, number) in lines.items() if number.startswith("+" + digits)}
        assert await found(world, customer_admin, typed) == starting and starting, typed
    part = msisdn[-5:-1]
    inside = {key for key, (_, number) in lines.items() if part in number}
    assert await found(world, customer_admin, f"{part[:2]} {part[2:]}") == inside and inside


@pytest.mark.parametrize("text", ["muller", "MULLER", "Müller", "MÜLLER", "mül", "schroder", "Krueger"])
async def test_names_are_found_without_case_or_accents(world, customer_admin, text):
    lines = await acme_lines(world)
    needle = text.lower().translate(PLAIN_LETTERS)
    named = {key for key, (name, _) in lines.items() if needle in name.lower().translate(PLAIN_LETTERS)}
    assert await found(world, customer_admin, text) == named
    if text != "Krueger":  # "ue" is another spelling, not an accent: not the same letters
        assert named, f"the demo has a {text}"


@pytest.mark.parametrize(
    "text",
    ["%", "_", "%%__", "---", "()", "+", "+-", "\u0301", "0" * 200, "+" + "9" * 199, "00", "😀", "Ünïcödé \u202e",
     "(((0170)))", "0170 %", "17_0", "'; drop table subscribers; --", "\\", "ǅ", "ﬁ", "İ"],
)  # fmt: skip
async def test_odd_text_gets_a_correct_answer_never_an_error(world, customer_admin, text):
    lines = await acme_lines(world)
    result = await world.run(customer_admin, SEARCH, {"s": text})
    assert result.errors is None, [e.formatted for e in result.errors]
    keys = {from_global_id(node["id"])[1] for node in result.data["subscribers"]["nodes"]}
    if any(ch.isalnum() for ch in text) and text not in ("00", "(((0170)))"):
        assert keys <= set(lines)
    else:
        wanted = set(lines) if text == "00" else set()  # 00 is the international prefix: every number
        if text == "(((0170)))":
            wanted = {key for key, (_, number) in lines.items() if number.startswith("+49170")}
        assert keys == wanted


@pytest.mark.parametrize("text", ["0" * 201, "a\ud800", "\x00"])
async def test_a_search_too_long_or_not_text_is_refused_with_a_code(world, customer_admin, text):
    result = await world.run(customer_admin, SEARCH, {"s": text})
    assert codes(result) == ["BAD_USER_INPUT"] and result.data == {"subscribers": None}


async def test_a_national_number_reads_the_companys_country_once_and_a_name_or_plus_number_reads_nothing_more(
    world, customer_admin
):
    await world.data(customer_admin, SEARCH, {"s": "Müller"})
    by_name = world.counter.count
    await world.data(customer_admin, SEARCH, {"s": "+49 170"})
    assert world.counter.count == by_name
    await world.data(customer_admin, SEARCH, {"s": "0170 63"})
    assert world.counter.count == by_name + 1
