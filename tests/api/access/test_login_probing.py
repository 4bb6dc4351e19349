"""Inviting a user tells nothing about other companies' logins (issue 13, finding 4).

Logins are unique across companies (a token names a login), so a company invites logins under
its own code only (``acme.<name>``). A login of another company is refused exactly as one
that exists nowhere: the answer cannot tell whether Borealis has an ``borealis.admin``."""

from __future__ import annotations

INVITE = """mutation($login: String!) { portalUserInvite(input: {login: $login, name: "Probe", role: ANALYST}) {
  user { id } userErrors { field code message } } }"""
COUNT = "select count(*) from portal_users"


async def test_another_companys_login_is_refused_like_a_login_that_exists_nowhere(writable_world, customer_admin):
    world = writable_world
    before = await world.scalar("crm", COUNT)
    answers = {}
    for login in ("borealis.admin", "borealis.nobody.here", "operator.support", "nobody.anywhere"):
        answers[login] = (await world.data(customer_admin, INVITE, {"login": login}))["portalUserInvite"]
    assert answers["borealis.admin"]["user"] is None
    assert answers["borealis.admin"]["userErrors"][0]["field"] == ["login"]
    assert "taken" not in answers["borealis.admin"]["userErrors"][0]["message"]
    assert len({str(answer) for answer in answers.values()}) == 1, answers  # one answer, whoever holds the login
    assert await world.scalar("crm", COUNT) == before


async def test_a_login_under_the_companys_own_code_is_invited(writable_world, customer_admin, other_admin):
    world = writable_world
    invited = (await world.data(customer_admin, INVITE, {"login": "acme.new.analyst"}))["portalUserInvite"]
    assert invited["userErrors"] == [] and invited["user"]["id"]
    again = (await world.data(customer_admin, INVITE, {"login": "acme.new.analyst"}))["portalUserInvite"]
    assert [e["message"] for e in again["userErrors"]] == ["That login is taken."]  # one's own company's user
    # Borealis cannot probe Acme's logins either, nor take the bare code as a login.
    for login in ("acme.new.analyst", "borealis.", "borealis"):
        probe = (await world.data(other_admin, INVITE, {"login": login}))["portalUserInvite"]
        assert probe["user"] is None and probe["userErrors"][0]["field"] == ["login"], login
        assert "taken" not in probe["userErrors"][0]["message"], login
