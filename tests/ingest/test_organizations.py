"""The organization gazetteer (seed/organizations.yaml): printed variants reconcile to one row."""

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.ingest.affiliations import split_affiliation
from app.ingest.files import read_catalog
from app.ingest.load import LoadReport, load
from app.ingest.parse import parse
from app.ingest.rules import annotate_rules
from tests.support.seed_facts import SEED_DIR

CATALOG = read_catalog(SEED_DIR)


def test_the_gazetteer_is_consistent() -> None:
    slugs = {org.slug for org in CATALOG.organizations}
    assert len(slugs) == len(CATALOG.organizations)
    assert {org.parent for org in CATALOG.organizations} - {None} <= slugs
    owners: dict[str, str] = {}
    for org in CATALOG.organizations:
        for name in {n for n in (org.name, org.short_name, *org.aliases) if n}:
            assert owners.setdefault(CATALOG.organization_slug(name), org.slug) == org.slug, name


@pytest.mark.parametrize(
    ("printed", "organization", "parent"),
    [
        ("Senior Research Fellow, Centre for European Policy Studies (CEPS)", "ceps", None),
        ("Senior Research Fellow at CEPS", "ceps", None),
        ("Director of Research, CEPS, Brussels", "ceps", None),
        ("Senior Fellow, Center for European Policy Studies", "ceps", None),
        ("Senior Transatlantic Fellow, German Marshall Fund of the United States", "gmf", None),
        ("Senior Fellow at the German Marshall Fund", "gmf", None),
        ("Director of the Paris office, GMF", "gmf", None),
        ("Research Fellow, Clingendael Institute", "clingendael", None),
        (
            "Senior Research Fellow, Netherlands Institute of International Relations"
            " ‘Clingendael’",
            "clingendael",
            None,
        ),
        ("Senior Fellow at Clingendael, The Hague", "clingendael", None),
        ("Senior Analyst, EU Institute for Security Studies (EUISS)", "euiss", None),
        ("Senior Analyst, European Union Institute for Security Studies", "euiss", None),
        (
            "Senior Research Fellow, Egmont – Royal Institute for International Relations",
            "egmont",
            None,
        ),
        ("Senior Associate Fellow at the Egmont Institute", "egmont", None),
        ("Director, Egmont Royal Institute for International Relations, Brussels", "egmont", None),
        (
            "Senior Research Fellow, French Institute of International Relations (Ifri)",
            "ifri",
            None,
        ),
        ("Director of the Russia/Eurasia Center at Ifri", "ifri", None),
        ("Researcher, Institut français des relations internationales", "ifri", None),
        ("Senior Fellow, IISS", "iiss", None),
        ("Senior Fellow, International Institute for Strategic Studies", "iiss", None),
        ("Senior Fellow, Stiftung Wissenschaft und Politik (SWP)", "swp", None),
        ("Senior Associate, German Institute for International and Security Affairs", "swp", None),
        ("Senior Fellow at CSIS", "csis", None),
        ("Senior Adviser, Center for Strategic and International Studies (CSIS)", "csis", None),
        ("Director of Military Sciences at RUSI", "rusi", None),
        ("Research Fellow, Royal United Services Institute", "rusi", None),
        ("Director of ECFR", "ecfr", None),
        ("Senior Policy Fellow, European Council on Foreign Relations", "ecfr", None),
        ("Head of Research, Bruegel", "bruegel", None),
        ("Senior Fellow at Bruegel", "bruegel", None),
        ("Analyst, Polish Institute of International Affairs (PISM)", "pism", None),
        ("Analyst at PISM", "pism", None),
        ("Research Fellow, International Centre for Defence and Security, Tallinn", "icds", None),
        ("Research Fellow, ICDS", "icds", None),
        ("Senior Fellow, Atlantic Council", "atlantic-council", None),
        (
            "Nonresident Senior Fellow, Scowcroft Center for Strategy and Security,"
            " Atlantic Council",
            "scowcroft-center-for-strategy-and-security",
            "atlantic-council",
        ),
        ("Senior Research Fellow, Chatham House", "chatham-house", None),
        ("Fellow, Royal Institute of International Affairs", "chatham-house", None),
        ("Senior Fellow, German Council on Foreign Relations (DGAP)", "dgap", None),
        ("Director, Deutsche Gesellschaft für Auswärtige Politik", "dgap", None),
        ("Professor, European University Institute in Florence", "eui", None),
        (
            "Professor, School of Transnational Governance, European University Institute",
            "school-of-transnational-governance",
            "eui",
        ),
        ("Senior Fellow, Carnegie Middle East Center", "carnegie-middle-east-center", None),
        (
            "Director, Malcolm H. Kerr Carnegie Middle East Center",
            "carnegie-middle-east-center",
            None,
        ),
        ("Fellow, Carnegie China", "carnegie-china", None),
        ("Senior Fellow, Carnegie Moscow Center", "carnegie-moscow-center", None),
    ],
)
def test_printed_variants_reconcile(printed: str, organization: str, parent: str | None) -> None:
    (affiliation,) = split_affiliation(printed, 1, CATALOG.organization_names)
    assert affiliation.organization is not None
    found_parent = CATALOG.organization_slug(affiliation.parent) if affiliation.parent else None
    assert (CATALOG.organization_slug(affiliation.organization), found_parent) == (
        SLUGS.get(organization, organization),
        SLUGS.get(parent, parent) if parent else None,
    )


SLUGS = {
    "ceps": "centre-for-european-policy-studies",
    "gmf": "german-marshall-fund-of-the-united-states",
    "euiss": "european-union-institute-for-security-studies",
    "egmont": "egmont-royal-institute-for-international-relations",
    "ifri": "french-institute-of-international-relations",
    "iiss": "international-institute-for-strategic-studies",
    "swp": "stiftung-wissenschaft-und-politik",
    "csis": "center-for-strategic-and-international-studies",
    "rusi": "royal-united-services-institute",
    "ecfr": "european-council-on-foreign-relations",
    "pism": "polish-institute-of-international-affairs",
    "icds": "international-centre-for-defence-and-security",
    "dgap": "german-council-on-foreign-relations",
    "eui": "european-university-institute",
}

VARIANTS = """Judy Asks: Who Speaks for Brussels Think Tanks?

Published on May 2, 2024

Anna Example
Senior Research Fellow, Centre for European Policy Studies (CEPS)

Yes. Coalitions matter.

Boris Example
Director of Research, CEPS, Brussels

No. Coalitions are slow.

Clara Example
Research Fellow, Clingendael Institute

Yes. The Hague agrees.

David Example
Senior Fellow at Clingendael, The Hague

No. The Hague disagrees.

Eva Example
Senior Research Fellow, Egmont – Royal Institute for International Relations

Yes. Brussels agrees.

Filip Example
Senior Associate Fellow at the Egmont Institute

No. Brussels disagrees.
"""


def _experts(client: TestClient, slug: str) -> list[tuple[Any, ...]]:
    body = client.get(f"/v1/organizations/{slug}").json()
    return [(e["expert"]["name"], e["role"], e["organization"]["slug"]) for e in body["experts"]]


def test_variants_in_a_roundup_load_as_one_organization(
    session: Session, client: TestClient
) -> None:
    document = parse(
        VARIANTS, published_on=date(2024, 5, 2), organizations=CATALOG.organization_names
    )
    load(
        session,
        annotate_rules(document, CATALOG.tag_rules, source_sha256="0" * 64),
        CATALOG,
        LoadReport(),
    )
    ceps, clingendael, egmont = (SLUGS["ceps"], "clingendael", SLUGS["egmont"])
    assert _experts(client, ceps) == [
        ("Anna Example", "Senior Research Fellow", ceps),
        ("Boris Example", "Director of Research", ceps),
    ]
    assert _experts(client, clingendael) == [
        ("Clara Example", "Research Fellow", clingendael),
        ("David Example", "Senior Fellow", clingendael),
    ]
    assert _experts(client, egmont) == [
        ("Eva Example", "Senior Research Fellow", egmont),
        ("Filip Example", "Senior Associate Fellow", egmont),
    ]
    body = client.get(f"/v1/organizations/{egmont}").json()
    assert (body["name"], body["short_name"], body["kind"], body["expert_count"]) == (
        "Egmont – Royal Institute for International Relations",
        "Egmont",
        "think_tank",
        2,
    )
