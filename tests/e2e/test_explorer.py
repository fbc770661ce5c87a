"""The explorer in headless Chromium against a real server: every view shows exactly what
the public API returns, the URL holds the state, Back works, and nothing breaks the CSP."""

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from app.routes.explorer import CONTENT_SECURITY_POLICY
from tests.e2e.conftest import Explorer
from tests.support.seed_facts import SEED_SLUG

ARTICLE = f"/?article={SEED_SLUG}"
STANCE_LABELS = {
    "yes": "Yes",
    "yes_conditional": "Yes, with conditions",
    "not_yet": "Not yet",
    "no": "No",
    "mixed": "Mixed",
    "unclear": "Unclear",
}
SEED_EXPERTS = [
    "Veronica Anghel",
    "Samuel Greene",
    "Jana Kobzova",
    "Alexander Gabuev",
    "Gwendolyn Sasse",
    "Stefan Meister",
    "Eugene Rumer",
]


def get(api: httpx.Client, url: str, **params: Any) -> Any:
    response = api.get(url, params=params)
    response.raise_for_status()
    return response.json()


def test_home_lists_roundups_newest_first_with_stance_bars(
    explorer: Explorer, api: httpx.Client
) -> None:
    articles = get(api, "/v1/articles")["items"]
    explorer.open("/")
    page = explorer.page
    expect(page).to_have_title("Expert roundups · Roundup explorer")
    items = page.locator(".roundup-item")
    assert items.evaluate_all("els => els.map(e => e.dataset.slug)") == [
        a["slug"] for a in articles
    ]
    assert page.locator(".roundup-question").all_inner_texts() == [a["question"] for a in articles]
    for item, article in zip(items.all(), articles, strict=True):
        legend = item.locator(".legend li").evaluate_all(
            "els => els.map(e =>"
            " [e.dataset.stance, Number(e.querySelector('.legend-count').textContent)])"
        )
        assert legend == [[s["stance"], s["count"]] for s in article["stances"]]
        bars = item.locator(".stance-bar rect").evaluate_all(
            "els => els.map(e => [e.dataset.stance, Number(e.dataset.count)])"
        )
        assert bars == legend
    assert items.first.locator(".kicker").inner_text() == "Taking the Pulse · December 4, 2025"
    explorer.screenshot("desktop-home")
    explorer.assert_clean()


def test_roundup_page_shows_each_expert_as_the_api_has_them(
    explorer: Explorer, api: httpx.Client
) -> None:
    detail = get(api, f"/v1/articles/{SEED_SLUG}")
    responses = detail["responses"]
    explorer.open(ARTICLE)
    page = explorer.page
    expect(page.locator("h1")).to_have_text(detail["question"])
    expect(page).to_have_title(f"{detail['question']} · Roundup explorer")
    assert page.locator(".article-header .dek").inner_text() == detail["dek"]
    assert page.locator(".source").inner_text() == (
        f"Source: {detail['title']}, {detail['publisher']}, December 4, 2025."
    )

    cards = page.locator("article.card")
    expect(cards).to_have_count(7)
    assert page.locator(".card .expert-name").all_inner_texts() == SEED_EXPERTS
    assert [r["expert"]["name"] for r in responses] == SEED_EXPERTS
    badges = page.locator(".card .badge").evaluate_all(
        "els => els.map(e => [e.dataset.stance, e.textContent])"
    )
    assert badges == [[r["stance"], STANCE_LABELS[r["stance"]]] for r in responses]
    assert page.locator(".card .affiliation").all_inner_texts() == [
        r["affiliation_line"] for r in responses
    ]
    assert page.locator(".card .stance-phrase").all_text_contents() == [
        r["stance_phrase"] for r in responses
    ]

    for card, response in zip(cards.all(), responses, strict=True):
        # The answer reads as the API's body once the tag chips are set aside.
        body = card.evaluate(
            """card => {
              const answer = card.querySelector('.answer').cloneNode(true);
              answer.querySelectorAll('.arg-tags').forEach(e => e.remove());
              return [...answer.querySelectorAll('p')].map(p => p.textContent).join('\\n\\n');
            }"""
        )
        assert body == response["body"]
        # Each argument's span is marked in place, and followed by its tags.
        marked = card.evaluate(
            """card => {
              const spans = {};
              for (const mark of card.querySelectorAll('mark.arg')) {
                for (const position of mark.dataset.args.split(' ')) {
                  spans[position] = (spans[position] ?? '') + mark.textContent;
                }
              }
              return spans;
            }"""
        )
        assert marked == {str(a["position"]): a["text"] for a in response["arguments"]}
        chips = card.locator(".arg-tags").evaluate_all(
            "els => els.map(e => [Number(e.dataset.arg),"
            " [...e.querySelectorAll('.chip')].map(c => c.dataset.tag)])"
        )
        assert sorted(chips) == sorted(
            [a["position"], [t["slug"] for t in a["tags"]]] for a in response["arguments"]
        )
    explorer.screenshot("desktop-roundup")
    explorer.assert_clean()


def test_chart_counts_equal_the_summary_endpoint(explorer: Explorer, api: httpx.Client) -> None:
    summary = get(api, f"/v1/articles/{SEED_SLUG}/summary")
    explorer.open(ARTICLE)
    chart = explorer.page.locator(".stance-chart")
    rows = chart.locator(".chart-row").evaluate_all(
        """els => els.map(g => [
            g.dataset.stance,
            g.querySelector('.chart-label').textContent,
            Number(g.querySelector('.chart-count').textContent),
        ])"""
    )
    assert rows == [
        [s["stance"], STANCE_LABELS[s["stance"]], s["count"]] for s in summary["stances"]
    ]
    assert [count for _, _, count in rows] == [3, 3, 1, 0, 0, 0]
    # Bar lengths are proportional to the counts; the screen-reader table says the same.
    widths = chart.locator("rect").evaluate_all("els => els.map(e => e.getAttribute('width'))")
    top = max(s["count"] for s in summary["stances"])
    assert widths == [f"{js_number(s['count'] / top * 82)}%" for s in summary["stances"]]
    table = explorer.page.locator(".chart table tbody tr").evaluate_all(
        "els => els.map(tr => [...tr.children].map(c => c.textContent))"
    )
    assert table == [
        [STANCE_LABELS[s["stance"]], str(s["count"]), ", ".join(e["name"] for e in s["experts"])]
        for s in summary["stances"]
    ]
    assert chart.get_attribute("role") == "img"
    assert explorer.page.locator(".stance-chart title").text_content() == (
        "Stances of 7 experts: 3 Yes, 3 Yes, with conditions, 1 Not yet"
    )
    explorer.assert_clean()


def js_number(value: float) -> str:
    """How JavaScript prints a number (shortest round-trip, no trailing .0)."""
    return str(int(value)) if value.is_integer() else repr(value)


def snippet_segments(snippet: str) -> list[tuple[bool, str]]:
    """The API's snippet as (marked, text) runs, parsed as HTML."""
    segments: list[tuple[bool, str]] = []

    class Parser(HTMLParser):
        marked = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            assert tag == "mark"
            self.marked = True

        def handle_endtag(self, tag: str) -> None:
            self.marked = False

        def handle_data(self, data: str) -> None:
            segments.append((self.marked, data))

    Parser(convert_charrefs=True).feed(snippet)
    return segments


def test_search_box_shows_the_answers_that_use_the_phrase_with_the_words_marked(
    explorer: Explorer, api: httpx.Client
) -> None:
    expected = get(api, "/v1/search", q='"frozen assets"', type="response")["items"]
    names = [hit["expert"]["name"] for hit in expected]
    assert sorted(names) == ["Eugene Rumer", "Jana Kobzova", "Stefan Meister"]

    explorer.open(ARTICLE)
    page = explorer.page
    box = page.get_by_label("Search the answers")
    box.fill('"frozen assets"')
    box.press("Enter")
    expect(page).to_have_url(explorer.url("/?q=%22frozen+assets%22"))
    explorer.wait()
    expect(page.locator("h1")).to_have_text('Search: "frozen assets"')
    expect(page.locator(".counts")).to_have_text(
        '3 answers match "frozen assets", most relevant first.'
    )
    results = page.locator(".result")
    assert results.locator(".result-title").all_inner_texts() == names
    assert results.evaluate_all(
        "els => els.map(e => [e.dataset.expert, e.querySelector('.badge').dataset.stance])"
    ) == [[hit["expert"]["slug"], hit["stance"]] for hit in expected]
    for result, hit in zip(results.all(), expected, strict=True):
        shown = result.locator(".snippet p").evaluate(
            "p => [...p.childNodes].map(n => [n.nodeName === 'MARK', n.textContent])"
        )
        assert [tuple(run) for run in shown] == snippet_segments(hit["snippet"])
        marks = result.locator(".snippet mark").all_text_contents()
        assert marks
        assert {mark.lower() for mark in marks} == {"frozen assets"}
    explorer.screenshot("desktop-search")

    page.go_back()
    expect(page).to_have_url(explorer.url(ARTICLE))
    expect(page.locator("article.card")).to_have_count(7)
    expect(box).to_have_value("")
    page.go_forward()
    expect(page.locator(".result")).to_have_count(3)
    expect(box).to_have_value('"frozen assets"')
    explorer.assert_clean()


def test_a_malformed_search_says_what_is_wrong(explorer: Explorer) -> None:
    explorer.open("/?q=NOT+sanctions")
    alert = explorer.page.get_by_role("alert")
    expect(alert).to_contain_text("The search query is malformed.")
    expect(alert).to_contain_text("NOT at character 1")
    assert set(explorer.console_errors) == {
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    }
    assert explorer.csp_violations() == []


def test_clicking_a_tag_lists_exactly_the_api_arguments_grouped_by_expert(
    explorer: Explorer, api: httpx.Client
) -> None:
    expected = get(api, "/v1/arguments", tag="frozen-assets", limit=500)["items"]
    groups: dict[str, list[str]] = {}
    for argument in expected:
        groups.setdefault(argument["expert"]["name"], []).append(argument["text"])
    assert list(groups) == ["Jana Kobzova", "Gwendolyn Sasse", "Stefan Meister", "Eugene Rumer"]

    explorer.open(ARTICLE)
    page = explorer.page
    chip = page.locator('.card .chip[data-tag="frozen-assets"]').first
    chip.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0
    chip.click()
    expect(page).to_have_url(explorer.url("/?tag=frozen-assets"))
    explorer.wait()
    expect(page.locator("h1")).to_have_text("Tag: Frozen assets")
    expect(page.locator("h1")).to_be_focused()
    shown = page.locator(".tag-group").evaluate_all(
        """els => els.map(g => [
            g.querySelector('h2').textContent,
            [...g.querySelectorAll('.argument-text')].map(q => q.textContent),
        ])"""
    )
    assert shown == [[name, texts] for name, texts in groups.items()]
    assert page.locator(".tag-group .badge").evaluate_all(
        "els => els.map(e => e.dataset.stance)"
    ) == [a["stance"] for a in expected]
    assert page.locator(".chip.current").all_inner_texts() == ["Frozen assets"] * len(expected)
    explorer.screenshot("desktop-tag")

    # The back button returns to the roundup where it was scrolled to, forward to the tag.
    page.go_back()
    expect(page).to_have_url(explorer.url(ARTICLE))
    expect(page.locator("article.card")).to_have_count(7)
    page.wait_for_function("y => Math.abs(window.scrollY - y) < 2", arg=scrolled)
    page.go_forward()
    expect(page).to_have_url(explorer.url("/?tag=frozen-assets"))
    expect(page.locator(".tag-group")).to_have_count(4)
    explorer.assert_clean()


def test_expert_page_lists_their_answers_over_time(explorer: Explorer, api: httpx.Client) -> None:
    expected = get(api, "/v1/experts/samuel-greene")
    explorer.open(ARTICLE)
    page = explorer.page
    page.get_by_role("link", name="Samuel Greene").click()
    expect(page).to_have_url(explorer.url("/?expert=samuel-greene"))
    explorer.wait()
    expect(page.locator("h1")).to_have_text("Samuel Greene")
    assert page.locator(".affiliations li").all_inner_texts() == [
        "Professor of Russian Politics, King’s College London · printed December 4, 2025"
    ]
    items = page.locator(".timeline-item")
    assert items.evaluate_all(
        "els => els.map(e => [e.dataset.article, e.querySelector('.badge').dataset.stance,"
        " e.querySelector('.stance-phrase').textContent])"
    ) == [[r["article"]["slug"], r["stance"], r["stance_phrase"]] for r in expected["responses"]]
    explorer.screenshot("desktop-expert")

    # Following the answer back to the roundup lands on that expert's card.
    items.first.get_by_role("link").click()
    expect(page).to_have_url(explorer.url(f"{ARTICLE}#samuel-greene"))
    expect(page.locator("#samuel-greene")).to_be_focused()
    expect(page.locator("#samuel-greene")).to_be_in_viewport()
    page.go_back()
    expect(page).to_have_url(explorer.url("/?expert=samuel-greene"))
    expect(page.locator("h1")).to_have_text("Samuel Greene")
    explorer.assert_clean()


def test_keyboard_alone_reaches_a_roundup_and_a_tag(explorer: Explorer) -> None:
    explorer.open("/")
    page = explorer.page
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator(".roundup-question a")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(explorer.url(ARTICLE))
    explorer.wait()
    expect(page.locator("h1")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Veronica Anghel")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator(".card .chip").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(explorer.url("/?tag=seat-at-the-table"))
    explorer.wait()
    expect(page.locator("h1")).to_be_focused()
    explorer.assert_clean()


def test_deep_links_render_their_view(explorer: Explorer) -> None:
    explorer.open("/?tag=frozen-assets")
    expect(explorer.page.locator(".tag-group")).to_have_count(4)
    explorer.open(f"{ARTICLE}#eugene-rumer")
    expect(explorer.page.locator("#eugene-rumer")).to_be_in_viewport()
    explorer.assert_clean()


def test_an_unknown_roundup_says_so(explorer: Explorer) -> None:
    explorer.open("/?article=no-such-roundup")
    page = explorer.page
    expect(page.locator("h1")).to_have_text("Not found")
    expect(page.locator(".error")).to_have_text("No article with slug 'no-such-roundup'.")
    # The only console errors are the browser's notes on the API's 404s.
    assert set(explorer.console_errors) == {
        "Failed to load resource: the server responded with a status of 404 (Not Found)"
    }
    assert explorer.csp_violations() == []


def test_page_is_served_under_a_strict_csp_that_is_enforced(explorer: Explorer) -> None:
    response = explorer.page.goto(explorer.url("/"))
    assert response is not None
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    explorer.wait()
    explorer.assert_clean()
    # An inline script is refused, and the refusal is seen: the checks above would catch one.
    explorer.page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__ran = true'; document.body.append(s); }"""
    )
    explorer.page.wait_for_function("() => window.__cspViolations.length > 0")
    assert explorer.page.evaluate("window.__ran === undefined")
    assert explorer.csp_violations() == ["script-src-elem inline"]


VIEWS = {
    "home": "/",
    "roundup": ARTICLE,
    "tag": "/?tag=frozen-assets",
    "search": "/?q=%22frozen+assets%22",
    "expert": "/?expert=jana-kobzova",
}

PROBES = Path(__file__).with_name("probes")
CONTRAST_FAILURES = (PROBES / "contrast.js").read_text(encoding="utf-8")
STRUCTURE_PROBLEMS = (PROBES / "structure.js").read_text(encoding="utf-8")


@pytest.mark.parametrize("view", list(VIEWS))
def test_views_meet_contrast_and_structure_checks(explorer: Explorer, view: str) -> None:
    explorer.open(VIEWS[view])
    assert explorer.page.evaluate(CONTRAST_FAILURES) == []
    assert explorer.page.evaluate(STRUCTURE_PROBLEMS) == []
    explorer.assert_clean()


@pytest.mark.parametrize("view", list(VIEWS))
def test_views_fit_a_phone_screen(phone: Explorer, view: str) -> None:
    phone.open(VIEWS[view])
    width = phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    phone.screenshot(f"phone-{view}")
    phone.assert_clean()
