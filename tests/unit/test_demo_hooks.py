import pytest

from marketplace.demo import hooks


@pytest.fixture(autouse=True)
def clean_registry(monkeypatch):
    monkeypatch.setattr(hooks, "_hooks", {})


def test_hooks_run_by_order_then_by_registration():
    hooks.register_seed_hook("credit", lambda ctx: None, order=50)
    hooks.register_seed_hook("search", lambda ctx: None)
    hooks.register_seed_hook("ledger", lambda ctx: None, order=10)
    hooks.register_seed_hook("purchasing", lambda ctx: None)
    assert [name for name, _ in hooks.registered_seed_hooks()] == ["ledger", "credit", "search", "purchasing"]


def test_registering_a_name_again_replaces_the_hook_and_keeps_its_place():
    first, second = (lambda ctx: 1), (lambda ctx: 2)
    hooks.register_seed_hook("ledger", first)
    hooks.register_seed_hook("search", lambda ctx: None)
    hooks.register_seed_hook("ledger", second)
    names_and_fns = hooks.registered_seed_hooks()
    assert [name for name, _ in names_and_fns] == ["ledger", "search"]
    assert names_and_fns[0][1] is second


def test_a_hook_needs_a_name_and_a_callable():
    with pytest.raises(ValueError):
        hooks.register_seed_hook("", lambda ctx: None)
    with pytest.raises(ValueError):
        hooks.register_seed_hook("x", None)


def test_each_hook_gets_its_own_stable_random_stream():
    from datetime import datetime, timezone

    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    ctx = hooks.SeedContext(seed=7, start=now, end=now, months=1, merchants=1, suppliers=1, residents=1)
    assert ctx.random("ledger").random() == ctx.random("ledger").random()
    assert ctx.random("ledger").random() != ctx.random("search").random()
