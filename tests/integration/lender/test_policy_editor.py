"""The policy editor: bounds checked, a preview before saving, versions that the next rescore uses."""
import pytest
from sqlalchemy import select

from financing.credit import services
from financing.credit.models import CreditPolicyVersion
from financing.lender import policy_editor
from marketplace.errors import ValidationError
from marketplace.extensions import db
from tests.credit_history import healthy_shop
from tests.factories import api_token, bearer, make_user


@pytest.fixture
def scored_town(app):
    shops = [healthy_shop(), healthy_shop()]
    for shop in shops:
        services.refresh_offer(shop.id)
    return shops


def test_a_preview_counts_who_the_proposal_approves_and_saves_nothing(scored_town):
    from financing.credit.policy import active_policy

    params = {**active_policy().params, "min_sales_90": 10_000_000}
    result = policy_editor.preview(params)
    assert result["current"]["approved"] == 2 and result["current"]["exposure"]["amount"] > 0
    assert result["proposed"] == {"merchants": 2, "approved": 0, "exposure": {"amount": 0, "currency": "CNY"}}
    assert result["approved_change"] == -2
    assert db.session.scalar(select(CreditPolicyVersion.id)) is None


def test_a_saved_version_names_who_and_why_and_the_next_rescore_uses_it(scored_town):
    lender = make_user("lender")
    policy = policy_editor.save({"withhold_rate": "0.12"}, officer_id=lender.id, why="Lighter withholding for winter")
    row = db.session.scalars(select(CreditPolicyVersion)).one()
    assert (row.version, row.created_by_id, row.note) == (2, lender.id, "Lighter withholding for winter")
    offer = services.refresh_offer(scored_town[0].id, force=True)
    assert offer.decision.policy_version == policy.version == 2
    assert offer.withhold_rate == "0.12"


@pytest.mark.parametrize("params, param", [
    ({"fee_rate_by_grade": {"A": "0.9", "B": "0.07", "C": "0.09", "D": "0.12"}}, "fee_rate_by_grade.A"),
    ({"limit_multiple_by_grade": {"A": "0", "B": "1", "C": "1", "D": "1"}}, "limit_multiple_by_grade.A"),
    ({"declined_grades": ["Z"]}, "declined_grades"),
    ({"declined_grades": []}, "fee_rate_by_grade.E"),
    ({"min_tenure_days": -5}, "min_tenure_days"),
    ({"withhold_rate": "lots"}, "withhold_rate"),
])
def test_values_out_of_bounds_are_refused_with_the_field_named(app, params, param):
    with pytest.raises(ValidationError) as err:
        policy_editor.check_params(params)
    assert err.value.param == param


def test_saving_without_a_reason_is_refused(app):
    with pytest.raises(ValidationError):
        policy_editor.save({}, officer_id=make_user("lender").id, why="  ")


def test_the_api_previews_saves_and_lists_versions(scored_town, client):
    headers = bearer(api_token(client, make_user("lender")))
    resp = client.post("/api/v1/lender/policies", headers=headers,
                       json={"params": {"min_sales_90": 10_000_000}, "preview": True})
    assert resp.status_code == 200 and resp.get_json()["proposed"]["approved"] == 0
    resp = client.post("/api/v1/lender/policies", headers=headers, json={"params": {"max_term_days": 365}})
    assert resp.status_code == 400 and resp.get_json()["error"]["param"] == "note"
    resp = client.post("/api/v1/lender/policies", headers=headers,
                       json={"params": {"max_term_days": 365}, "note": "Shorter terms"})
    assert resp.status_code == 201 and resp.get_json()["version"] == 2
    listed = client.get("/api/v1/lender/policies", headers=headers).get_json()["data"]
    assert [p["version"] for p in listed] == [2] and listed[0]["params"]["max_term_days"] == 365


def test_the_policy_page_previews_then_saves_a_version(scored_town, client):
    from financing.credit.policy import active_policy
    from financing.lender.forms import policy_form_class

    client.application.config["WTF_CSRF_ENABLED"] = False
    lender = make_user("lender")
    client.post("/account/login", data={"email": lender.email, "password": "secret123"})
    form = policy_form_class(active_policy().params)(meta={"csrf": False})
    data = {f.name: f._value() if hasattr(f, "_value") else f.data for f in form if f.name != "declined_grades"}
    data = {k: v for k, v in data.items() if not (k == "allow_after_charge_off" and not v)}
    data["declined_grades"] = ["E"]
    data["min_sales_90"] = "10000000"
    page = client.post("/lender/policy", data={**data, "intent": "preview"})
    assert page.status_code == 200, [l for l in page.get_data(as_text=True).splitlines() if "flash" in l or "error" in l]
    assert 'id="preview-approved"><strong>0</strong> / 2' in page.get_data(as_text=True)
    assert db.session.scalar(select(CreditPolicyVersion.id)) is None
    bad = client.post("/lender/policy", data={**data, "fee_rate_by_grade__A": "2", "intent": "preview"})
    assert bad.status_code == 400
    saved = client.post("/lender/policy", data={**data, "note": "Only the biggest shops", "intent": "save"})
    assert saved.status_code == 302
    assert db.session.scalars(select(CreditPolicyVersion)).one().params["min_sales_90"] == 10_000_000
