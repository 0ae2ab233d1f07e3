"""The review workspace records every verdict of the round from one form (issue 16): one submit stores all
of them in one transaction (`services.verdicts_record`, the single verdict's rules), a wrong one stores
none and is shown on its criterion, the round's verdicts are pre-filled, and the page says how many
criteria have a verdict and which have none. The per-criterion route stays for partners' scripts."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from certification import services
from certification.models import ApplicationState, Verdict, VerdictValue
from portal.tenancy.models import Role
from tests.factories import member

from ..audiences import ADMIN_A, ANONYMOUS, INSPECTOR, LEAD, OTHER_BODY, OTHER_COMPANY, REVIEWER, VIEWER_A

pytestmark = pytest.mark.django_db

NOT_MET_NOTE = "The usage policies name no BPNL."


def _url(application) -> str:
    return reverse("certification:verdicts", args=[application.public_id])


def _workspace_url(application) -> str:
    return reverse("certification:review", args=[application.public_id])


def _codes(application) -> list[str]:
    return list(application.scheme.criteria.values_list("code", flat=True))


def _post_data(verdicts: dict[str, tuple[str, str]]) -> dict[str, str]:
    """The fields the workspace's form sends: the same names as the per-criterion form."""
    data = {}
    for code, (value, notes) in verdicts.items():
        if value:
            data[f"verdict-{code}-value"] = value
        data[f"verdict-{code}-notes"] = notes
    return data


def _all_met_but_one(application) -> dict[str, tuple[str, str]]:
    verdicts = {code: (VerdictValue.MET, "") for code in _codes(application)}
    verdicts["CX-BP-03"] = (VerdictValue.NOT_MET, NOT_MET_NOTE)
    return verdicts


def _stored(application) -> dict[str, tuple[str, str]]:
    return {
        v.criterion.code: (v.value, v.notes)
        for v in application.verdicts.filter(round=application.round).select_related("criterion")
    }


def _cards(page: str) -> dict[str, str]:
    """The HTML of each criterion's card on the workspace, by code."""
    criteria = page.split('class="plain-list criteria-list"', 1)[1].split("</ol>", 1)[0]
    cards = {}
    for chunk in criteria.split('<li class="criterion card')[1:]:
        code = re.search(r'id="criterion-([A-Z0-9-]+)"', chunk).group(1)
        cards[code] = chunk
    return cards


def _checked(card: str, code: str) -> str | None:
    """The verdict value whose radio button is checked in a card (None: none is)."""
    for tag in re.findall(rf'<input[^>]*name="verdict-{code}-value"[^>]*>', card):
        if re.search(r"\schecked[\s>/]", tag):
            return re.search(r'value="([a-z_]+)"', tag).group(1)
    return None


def _notes(card: str, code: str) -> str:
    return re.search(rf'<textarea[^>]*name="verdict-{code}-notes"[^>]*>(.*?)</textarea>', card, re.S).group(1)


# ---- one submit -------------------------------------------------------------------------------------
def test_one_submit_records_every_verdict(browser, users, in_review):
    reviewer = browser(REVIEWER)
    page = reviewer.get(_workspace_url(in_review)).content.decode()
    assert page.count('action="' + _url(in_review) + '"') == 1  # one form for all of them
    assert "Save verdicts" in page and "Record verdict" not in page

    verdicts = _all_met_but_one(in_review)
    response = reviewer.post(_url(in_review), _post_data(verdicts))
    assert response.status_code == 302 and response["Location"] == _workspace_url(in_review)
    assert _stored(in_review) == verdicts
    assert set(in_review.verdicts.values_list("reviewer", "round")) == {(users[REVIEWER].pk, 1)}

    page = reviewer.get(response["Location"]).content.decode()
    assert "8 verdicts saved." in page
    assert page.count("8 of 8 criteria have a verdict of this round.") == 2  # at the top and by the decisions
    # The one not met blocks approval; the page says so where the decisions are.
    assert "Still open: CX-BP-03." in page


def test_the_api_and_the_per_criterion_route_still_record_one_verdict(browser, api_client, users, in_review):
    """Partners' scripts post one verdict at a time: both routes keep working and the form shows it."""
    reviewer = browser(REVIEWER)
    response = reviewer.post(
        reverse("certification:verdict", args=[in_review.public_id, "CX-BP-01"]),
        {"verdict-CX-BP-01-value": "met", "verdict-CX-BP-01-notes": "Checked."},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#criterion-CX-BP-01")
    api_client.force_login(users[REVIEWER])
    response = api_client.post(
        f"/api/v1/applications/{in_review.public_id}/verdicts/",
        {"criterion": "CX-BP-02", "value": "not_met", "notes": "No connector statement."},
        format="json",
    )
    assert response.status_code in (200, 201), response.content
    assert _stored(in_review) == {
        "CX-BP-01": ("met", "Checked."),
        "CX-BP-02": ("not_met", "No connector statement."),
    }
    cards = _cards(reviewer.get(_workspace_url(in_review)).content.decode())
    assert _checked(cards["CX-BP-01"], "CX-BP-01") == "met"
    assert _checked(cards["CX-BP-02"], "CX-BP-02") == "not_met"


# ---- all or nothing ---------------------------------------------------------------------------------
def test_a_wrong_verdict_stores_nothing_and_is_shown_on_its_criterion(browser, in_review, reviewer):
    services.verdict_record(
        actor=reviewer,
        application=in_review,
        criterion=in_review.scheme.criteria.get(code="CX-BP-01"),
        value=VerdictValue.NOT_MET,
        notes="Earlier note.",
    )
    before = _stored(in_review)
    verdicts = {code: (VerdictValue.MET, "") for code in _codes(in_review)}
    verdicts["CX-BP-03"] = (VerdictValue.NOT_MET, "   ")  # not met says why: the service's rule
    verdicts["CX-BP-05"] = (VerdictValue.NOT_APPLICABLE, "")  # a mandatory criterion always applies

    response = browser(REVIEWER).post(_url(in_review), _post_data(verdicts))

    assert response.status_code == 400
    assert _stored(in_review) == before  # CX-BP-01 is not changed to "met", nothing else is stored
    page = response.content.decode()
    assert "No verdict was saved. Please correct the following:" in page
    cards = _cards(page)
    assert 'id="id_verdict-CX-BP-03-notes_error"' in cards["CX-BP-03"]
    assert "Say why the criterion is not met." in cards["CX-BP-03"]
    assert 'id="id_verdict-CX-BP-05-value_error"' in cards["CX-BP-05"]
    assert "A mandatory criterion always applies." in cards["CX-BP-05"]
    assert "criterion-has-error" in cards["CX-BP-03"] and "criterion-has-error" in cards["CX-BP-05"]
    for code in set(cards) - {"CX-BP-03", "CX-BP-05"}:
        assert "field-error" not in cards[code] and "criterion-has-error" not in cards[code], code
    # The summary links each error to its field, named by its criterion.
    summary = '<a href="#id_verdict-CX-BP-03-notes">Notes on CX-BP-03: Say why the criterion is not met.</a>'
    assert summary in page
    # What the reviewer chose is kept, not the recorded verdict.
    assert _checked(cards["CX-BP-01"], "CX-BP-01") == "met"
    assert _checked(cards["CX-BP-05"], "CX-BP-05") == "not_applicable"


def test_notes_without_a_verdict_are_refused(browser, in_review):
    data = _post_data({"CX-BP-01": (VerdictValue.MET, ""), "CX-BP-02": ("", "Looks fine so far.")})
    response = browser(REVIEWER).post(_url(in_review), data)
    assert response.status_code == 400
    assert "Choose a verdict to go with your notes." in _cards(response.content.decode())["CX-BP-02"]
    assert not in_review.verdicts.exists()


def test_an_unknown_verdict_value_is_refused_on_its_criterion(browser, in_review):
    data = _post_data({"CX-BP-01": (VerdictValue.MET, ""), "CX-BP-04": ("maybe", "")})
    response = browser(REVIEWER).post(_url(in_review), data)
    assert response.status_code == 400
    assert 'id="id_verdict-CX-BP-04-value_error"' in _cards(response.content.decode())["CX-BP-04"]
    assert not in_review.verdicts.exists()


def test_the_service_checks_every_verdict_before_storing_any(in_review, reviewer):
    criteria = {c.code: c for c in in_review.scheme.criteria.all()}
    with pytest.raises(ValidationError) as caught:
        services.verdicts_record(
            actor=reviewer,
            application=in_review,
            verdicts={
                criteria["CX-BP-01"]: (VerdictValue.MET, ""),
                criteria["CX-BP-02"]: (VerdictValue.NOT_MET, ""),
                criteria["CX-BP-03"]: (VerdictValue.NOT_APPLICABLE, ""),
            },
        )
    assert caught.value.message_dict == {
        "CX-BP-02.notes": ["Say why the criterion is not met."],
        "CX-BP-03.value": ["A mandatory criterion always applies."],
    }
    assert not in_review.verdicts.exists()


def test_a_failure_while_storing_rolls_back_the_verdicts_already_written(in_review, reviewer, monkeypatch):
    """One transaction: a database failure on the third verdict leaves none of the first two."""
    real = Verdict.objects.update_or_create
    calls = []

    def failing(*args, **kwargs):
        calls.append(kwargs["criterion"].code)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(Verdict.objects, "update_or_create", failing)
    criteria = list(in_review.scheme.criteria.all())
    with pytest.raises(RuntimeError):
        services.verdicts_record(
            actor=reviewer,
            application=in_review,
            verdicts={c: (VerdictValue.MET, "") for c in criteria},
        )
    assert len(calls) == 3
    assert not Verdict.objects.filter(application=in_review).exists()


# ---- saving as the review goes ----------------------------------------------------------------------
def test_criteria_left_blank_keep_what_they_have_and_unchanged_ones_are_not_rewritten(
    browser, in_review, reviewer
):
    first = services.verdict_record(
        actor=reviewer,
        application=in_review,
        criterion=in_review.scheme.criteria.get(code="CX-BP-01"),
        value=VerdictValue.MET,
        notes="On site.",
    )
    client = browser(REVIEWER)
    # CX-BP-01 comes back as pre-filled, CX-BP-02 is new, the others are left for later.
    data = _post_data({"CX-BP-01": ("met", "On site."), "CX-BP-02": ("met", "")})
    data.update({f"verdict-{code}-notes": "" for code in _codes(in_review)[2:]})
    response = client.post(_url(in_review), data)
    assert response.status_code == 302
    assert _stored(in_review) == {"CX-BP-01": ("met", "On site."), "CX-BP-02": ("met", "")}
    first.refresh_from_db()
    assert Verdict.objects.get(pk=first.pk).recorded_at == first.recorded_at
    page = client.get(response["Location"]).content.decode()
    assert "1 verdict saved." in page
    assert "2 of 8 criteria have a verdict of this round." in page

    # Nothing given at all changes nothing (the recorded verdicts are not deleted).
    response = client.post(_url(in_review), {})
    assert response.status_code == 302
    assert "No verdict changed." in client.get(response["Location"]).content.decode()
    assert _stored(in_review) == {"CX-BP-01": ("met", "On site."), "CX-BP-02": ("met", "")}


def test_the_rounds_verdicts_are_pre_filled_and_earlier_rounds_are_not(browser, users, in_review, reviewer):
    criteria = {c.code: c for c in in_review.scheme.criteria.all()}
    services.verdicts_record(
        actor=reviewer,
        application=in_review,
        verdicts={
            criteria["CX-BP-01"]: (VerdictValue.MET, "Seen the report."),
            criteria["CX-BP-03"]: (VerdictValue.NOT_MET, NOT_MET_NOTE),
            criteria["CX-BP-08"]: (VerdictValue.NOT_APPLICABLE, ""),
        },
    )
    client = browser(REVIEWER)
    cards = _cards(client.get(_workspace_url(in_review)).content.decode())
    assert _checked(cards["CX-BP-01"], "CX-BP-01") == "met"
    assert _notes(cards["CX-BP-01"], "CX-BP-01").strip() == "Seen the report."
    assert _checked(cards["CX-BP-03"], "CX-BP-03") == "not_met"
    assert _notes(cards["CX-BP-03"], "CX-BP-03").strip() == NOT_MET_NOTE
    assert _checked(cards["CX-BP-08"], "CX-BP-08") == "not_applicable"
    assert _checked(cards["CX-BP-02"], "CX-BP-02") is None
    assert "Saved for round 1:" in cards["CX-BP-01"] and "No verdict saved yet." in cards["CX-BP-02"]

    # Round 2: the form starts empty; round 1's verdicts are shown as earlier ones.
    services.application_request_changes(actor=reviewer, application=in_review, message="Fix CX-BP-03.")
    services.application_resubmit(actor=users[ADMIN_A], application=in_review, declaration_name="Anna Admin")
    in_review.refresh_from_db()
    assert in_review.state == ApplicationState.IN_REVIEW and in_review.round == 2
    page = client.get(_workspace_url(in_review)).content.decode()
    cards = _cards(page)
    assert all(_checked(cards[code], code) is None for code in cards)
    assert NOT_MET_NOTE in cards["CX-BP-03"]  # among the earlier round's verdicts
    assert _notes(cards["CX-BP-03"], "CX-BP-03").strip() == ""
    assert "0 of 8 criteria have a verdict of this round." in page


# ---- progress ---------------------------------------------------------------------------------------
def test_progress_says_how_many_criteria_have_a_verdict_and_which_have_none(browser, in_review, reviewer):
    client = browser(REVIEWER)
    page = client.get(_workspace_url(in_review)).content.decode()
    assert page.count("0 of 8 criteria have a verdict of this round.") == 2
    for code in _codes(in_review):
        assert page.count(f'<a href="#criterion-{code}"><code>{code}</code></a>') == 2

    client.post(_url(in_review), _post_data({"CX-BP-02": ("met", "")}))
    page = client.get(_workspace_url(in_review)).content.decode()
    assert page.count("1 of 8 criteria has a verdict of this round.") == 2  # singular
    assert '<a href="#criterion-CX-BP-02">' not in page
    assert page.count('<a href="#criterion-CX-BP-01">') == 2
    # The progress sits above the criteria and just before the decision buttons, which stay in place.
    top, criteria, decision = (
        page.index('id="progress"'),
        page.index('id="criteria-title"'),
        page.index('id="decision-title"'),
    )
    bottom, approve = page.index('id="decision-progress"'), page.index('id="approve"')
    assert top < criteria < decision < bottom < approve

    client.post(_url(in_review), _post_data(_all_met_but_one(in_review)))
    page = client.get(_workspace_url(in_review)).content.decode()
    assert page.count("8 of 8 criteria have a verdict of this round.") == 2
    assert page.count("Every criterion has one.") == 2


def test_the_lead_reads_the_progress_and_the_verdicts_without_the_form(browser, in_review, reviewer):
    services.verdict_record(
        actor=reviewer,
        application=in_review,
        criterion=in_review.scheme.criteria.get(code="CX-BP-03"),
        value=VerdictValue.NOT_MET,
        notes=NOT_MET_NOTE,
    )
    page = browser(LEAD).get(_workspace_url(in_review)).content.decode()
    assert "1 of 8 criteria has a verdict of this round." in page
    assert NOT_MET_NOTE in _cards(page)["CX-BP-03"]
    assert _url(in_review) not in page and "Save verdicts" not in page and "<textarea" not in page


# ---- who may -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("audience", "status"),
    [
        (LEAD, 403),  # the lead reads; the assigned reviewer decides
        (ADMIN_A, 403),
        (VIEWER_A, 403),
        (OTHER_COMPANY, 404),
        (OTHER_BODY, 404),
        (INSPECTOR, 404),
        (ANONYMOUS, 302),
    ],
)
def test_only_the_assigned_reviewer_saves_verdicts(browser, in_review, audience, status):
    response = browser(audience).post(_url(in_review), _post_data(_all_met_but_one(in_review)))
    assert response.status_code == status
    if status == 403:
        assert "Only the reviewer assigned to this application can do this." in response.content.decode()
    assert not in_review.verdicts.exists()


def test_another_reviewer_of_the_body_may_not_save_verdicts(client, in_review, certification_body):
    client.force_login(member(Role.REVIEWER, certification_body, username="second-reviewer"))
    response = client.post(_url(in_review), _post_data(_all_met_but_one(in_review)))
    assert response.status_code == 403
    assert not in_review.verdicts.exists()


def test_no_verdicts_outside_the_review(browser, in_review, reviewer):
    services.application_request_changes(actor=reviewer, application=in_review, message="Fix it.")
    client = browser(REVIEWER)
    response = client.post(_url(in_review), _post_data(_all_met_but_one(in_review)))
    assert response.status_code == 302
    assert not in_review.verdicts.exists()
    page = client.get(response["Location"]).content.decode()
    assert "cannot be assessed" in page
    assert "Save verdicts" not in page and "criteria have a verdict" not in page


def test_a_missing_application_is_404(browser, in_review):
    url = reverse("certification:verdicts", args=["00000000-0000-4000-8000-000000000000"])
    assert browser(REVIEWER).post(url, {}).status_code == 404
    assert browser(REVIEWER).get(_url(in_review)).status_code == 405
