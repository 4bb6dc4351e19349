"""The portal's scripts and styles travel gzipped to browsers that take it, the same bytes every
time (compressed once per process), and plain to those that do not."""

from __future__ import annotations

import gzip

import httpx
import pytest

from server.portal import DIST, IMMUTABLE

SCRIPTS = sorted(path.name for path in (DIST / "assets").iterdir() if path.suffix in (".js", ".css"))


@pytest.mark.parametrize("name", SCRIPTS)
async def test_an_asset_is_gzipped_for_a_browser_that_takes_it(portal, name):
    plain = (DIST / "assets" / name).read_bytes()
    async with httpx.AsyncClient(base_url=portal.base) as http:
        # httpx would decode it: ask for the raw bytes
        request = http.build_request("GET", f"/assets/{name}", headers={"Accept-Encoding": "gzip, deflate, br"})
        first = await http.send(request, stream=True)
        raw = b"".join([chunk async for chunk in first.aiter_raw()])
        again = await http.send(http.build_request("GET", f"/assets/{name}", headers={"Accept-Encoding": "gzip"}),
                                stream=True)  # fmt: skip
        raw_again = b"".join([chunk async for chunk in again.aiter_raw()])
        identity = await http.get(f"/assets/{name}", headers={"Accept-Encoding": "identity"})
        refused = await http.get(f"/assets/{name}", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert first.headers["content-encoding"] == "gzip" and "accept-encoding" in first.headers["vary"].lower()
    assert first.headers["cache-control"] == IMMUTABLE
    assert gzip.decompress(raw) == plain
    assert len(raw) < len(plain) / (2 if len(plain) > 4096 else 1)  # a screen's small chunk shrinks less
    assert raw_again == raw and again.headers["etag"] == first.headers["etag"]
    assert first.headers["etag"] != identity.headers["etag"]  # two representations, two tags
    for response in (identity, refused):
        assert "content-encoding" not in response.headers and "Accept-Encoding" in response.headers["vary"]
        assert response.content == plain
