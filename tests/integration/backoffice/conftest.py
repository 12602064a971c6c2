"""Back-office fixtures: a merchant with a shop, logged in through the login form."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.factories import PASSWORD, make_shop, make_user


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English, so tests can read the messages (the zh_CN pages are tested on their own)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def merchant(app):
    return make_user("merchant")


@pytest.fixture
def shop(merchant):
    return make_shop(merchant, name="Lin's Grocery")


@pytest.fixture
def logged_in(client, merchant):
    """The client, logged in as the merchant."""
    resp = client.post("/account/login", data={"email": merchant.email, "password": PASSWORD})
    assert resp.status_code in (302, 303), resp.data[:500]
    return client


def image_bytes(fmt: str = "PNG", size=(640, 480), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def noise_png(size=(300, 300)) -> bytes:
    """A PNG that does not compress: random pixels."""
    import os

    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, "PNG")
    return out.getvalue()
