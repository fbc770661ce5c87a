// One function per view: fetch from the API, return {title, nodes}. Text goes in as text.

import { api } from "./api.js";
import { stanceBar, stanceChart } from "./charts.js";
import {
  dateElement,
  formatDate,
  h,
  hidden,
  plural,
  stanceBadge,
  tagChip,
  viewLink,
} from "./dom.js";
import { answerBody, snippet } from "./text.js";

function heading(text, ...extra) {
  return h("h1", { tabindex: "-1" }, text, ...extra);
}

function backToRoundups() {
  return h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, viewLink({}, "All roundups"));
}

export async function home(_params, signal) {
  const [articles, tags, experts] = await Promise.all([
    api.articles(signal),
    api.tags(signal),
    api.experts(signal),
  ]);
  const categories = new Map();
  for (const tag of tags.filter((t) => t.argument_count > 0)) {
    if (!categories.has(tag.category)) categories.set(tag.category, []);
    categories.get(tag.category).push(tag);
  }
  return {
    title: "Expert roundups",
    nodes: [
      heading("Expert roundups"),
      h(
        "p",
        { class: "lede" },
        "One policy question, several named experts. Open a roundup to read each answer with its stance and its tagged arguments.",
      ),
      h(
        "section",
        { "aria-labelledby": "roundups-heading" },
        h("h2", { id: "roundups-heading", class: "visually-hidden" }, "Roundups, newest first"),
        h(
          "ol",
          { class: "roundup-list" },
          articles.map((article) =>
            h(
              "li",
              { class: "roundup-item", "data-slug": article.slug },
              h("p", { class: "kicker" }, article.series ? `${article.series} · ` : "", dateElement(article.published_on)),
              h("h3", { class: "roundup-question" }, viewLink({ article: article.slug }, article.question)),
              article.dek ? h("p", { class: "dek" }, article.dek) : null,
              stanceBar(article.stances, article.response_count),
            ),
          ),
        ),
      ),
      h(
        "section",
        { "aria-labelledby": "tags-heading" },
        h("h2", { id: "tags-heading" }, "Arguments by tag"),
        h(
          "dl",
          { class: "tag-index" },
          [...categories].map(([category, group]) => [
            h("dt", {}, category),
            h(
              "dd",
              {},
              h(
                "ul",
                { class: "chips" },
                group.map((tag) =>
                  h(
                    "li",
                    {},
                    tagChip(tag),
                    h("span", { class: "count" }, ` ${tag.argument_count}`, hidden(" arguments")),
                  ),
                ),
              ),
            ),
          ]),
        ),
      ),
      h(
        "section",
        { "aria-labelledby": "experts-heading" },
        h("h2", { id: "experts-heading" }, "Experts"),
        h(
          "ul",
          { class: "expert-index" },
          experts.map((expert) =>
            h(
              "li",
              {},
              viewLink({ expert: expert.slug }, expert.name),
              h("span", { class: "count" }, ` · ${plural(expert.response_count, "answer")}`),
            ),
          ),
        ),
      ),
    ],
  };
}

function sourceCredit(article) {
  const title = article.source_url
    ? h("a", { href: article.source_url, rel: "noopener noreferrer" }, article.title)
    : h("cite", {}, article.title);
  return h(
    "p",
    { class: "source" },
    "Source: ",
    title,
    `, ${article.publisher}, `,
    dateElement(article.published_on),
    ".",
  );
}

function expertCard(response) {
  const nameId = `name-${response.expert.slug}`;
  return h(
    "li",
    {},
    h(
      "article",
      {
        class: "card",
        id: response.expert.slug,
        tabindex: "-1",
        "aria-labelledby": nameId,
        "data-stance": response.stance,
      },
      h(
        "header",
        { class: "card-header" },
        h("h3", { id: nameId, class: "expert-name" }, viewLink({ expert: response.expert.slug }, response.expert.name)),
        h("p", { class: "affiliation" }, response.affiliation_line),
        h(
          "p",
          { class: "stance" },
          hidden("Stance: "),
          stanceBadge(response.stance),
          response.stance_phrase ? [" ", h("q", { class: "stance-phrase" }, response.stance_phrase)] : null,
        ),
      ),
      h("div", { class: "answer" }, answerBody(response.body, response.arguments)),
    ),
  );
}

export async function article(params, signal) {
  const slug = params.get("article");
  const [detail, summary] = await Promise.all([api.article(slug, signal), api.summary(slug, signal)]);
  return {
    title: detail.question,
    nodes: [
      backToRoundups(),
      h(
        "header",
        { class: "article-header" },
        h("p", { class: "kicker" }, detail.series ? `${detail.series} · ` : "", dateElement(detail.published_on)),
        heading(detail.question),
        detail.dek ? h("p", { class: "dek" }, detail.dek) : null,
        sourceCredit(detail),
      ),
      h(
        "section",
        { "aria-labelledby": "chart-heading", class: "chart-section" },
        h("h2", { id: "chart-heading" }, "How the experts answered"),
        stanceChart(summary.stances, `Stances of ${plural(summary.response_count, "expert")}`),
      ),
      h(
        "section",
        { "aria-labelledby": "answers-heading" },
        h("h2", { id: "answers-heading" }, "The answers"),
        h(
          "p",
          { class: "hint" },
          "Highlighted passages are the arguments in each answer; the tags after each one open every argument with that tag.",
        ),
        h("ol", { class: "cards" }, detail.responses.map(expertCard)),
      ),
      detail.disclaimer ? h("p", { class: "disclaimer" }, detail.disclaimer) : null,
    ],
  };
}

export async function tag(params, signal) {
  const slug = params.get("tag");
  const [detail, args] = await Promise.all([api.tag(slug, signal), api.argumentsWithTag(slug, signal)]);
  const groups = new Map();
  for (const arg of args) {
    if (!groups.has(arg.expert.slug)) groups.set(arg.expert.slug, { expert: arg.expert, args: [] });
    groups.get(arg.expert.slug).args.push(arg);
  }
  return {
    title: `Tag: ${detail.label}`,
    nodes: [
      backToRoundups(),
      heading(h("span", { class: "kicker-inline" }, "Tag: "), detail.label),
      h("p", { class: "lede" }, detail.description),
      h(
        "p",
        { class: "counts" },
        `${plural(args.length, "argument")} by ${plural(groups.size, "expert")}, grouped by expert.`,
      ),
      [...groups.values()].map(({ expert, args: list }) =>
        h(
          "section",
          { class: "tag-group", "aria-labelledby": `group-${expert.slug}`, "data-expert": expert.slug },
          h("h2", { id: `group-${expert.slug}` }, viewLink({ expert: expert.slug }, expert.name)),
          h(
            "ol",
            { class: "arguments" },
            list.map((arg) =>
              h(
                "li",
                { class: "argument", "data-article": arg.article.slug, "data-position": arg.position },
                h("blockquote", { class: "argument-text" }, h("p", {}, arg.text)),
                h(
                  "p",
                  { class: "argument-meta" },
                  stanceBadge(arg.stance),
                  " ",
                  h("span", { class: "kind" }, arg.kind),
                  " · in ",
                  viewLink({ article: arg.article.slug }, arg.article.title, {}, expert.slug),
                  ", ",
                  dateElement(arg.article.published_on),
                ),
                h(
                  "ul",
                  { class: "chips", "aria-label": "Tags" },
                  arg.tags.map((t) => h("li", {}, tagChip(t, t.slug === slug))),
                ),
              ),
            ),
          ),
        ),
      ),
      detail.co_occurring.length
        ? h(
            "section",
            { "aria-labelledby": "co-heading" },
            h("h2", { id: "co-heading" }, "Often argued together with"),
            h(
              "ul",
              { class: "chips" },
              detail.co_occurring.map((row) =>
                h(
                  "li",
                  {},
                  tagChip(row.tag),
                  h("span", { class: "count" }, ` ${row.count}`, hidden(" together")),
                ),
              ),
            ),
          )
        : null,
    ],
  };
}

// A role printed with no organization ("Journalist and author") is shown alone.
function affiliationText(aff) {
  if (!aff.organization) return aff.role;
  const parent = aff.organization.parent ? `, ${aff.organization.parent.name}` : "";
  return `${aff.role}, ${aff.organization.name}${parent}`;
}

export async function expert(params, signal) {
  const detail = await api.expert(params.get("expert"), signal);
  const otherNames = detail.names.filter((name) => name !== detail.name);
  return {
    title: detail.name,
    nodes: [
      backToRoundups(),
      heading(detail.name),
      otherNames.length
        ? h("p", { class: "also-printed" }, `Also printed as ${otherNames.join(", ")}`)
        : "",
      h(
        "section",
        { "aria-labelledby": "affiliations-heading" },
        h("h2", { id: "affiliations-heading" }, "Affiliations as printed"),
        h(
          "ul",
          { class: "affiliations" },
          detail.affiliations.map((aff) =>
            h(
              "li",
              {},
              affiliationText(aff),
              h(
                "span",
                { class: "count" },
                aff.first_printed_on === aff.last_printed_on
                  ? ` · printed ${formatDate(aff.first_printed_on)}`
                  : ` · printed ${formatDate(aff.first_printed_on)} to ${formatDate(aff.last_printed_on)}`,
              ),
            ),
          ),
        ),
      ),
      h(
        "section",
        { "aria-labelledby": "answers-heading" },
        h("h2", { id: "answers-heading" }, `Answers over time (${detail.responses.length})`),
        h(
          "ol",
          { class: "timeline" },
          detail.responses.map((response) =>
            h(
              "li",
              { class: "timeline-item", "data-article": response.article.slug },
              h("p", { class: "kicker" }, dateElement(response.article.published_on)),
              h(
                "h3",
                {},
                viewLink({ article: response.article.slug }, response.article.title, {}, detail.slug),
              ),
              h(
                "p",
                { class: "stance" },
                hidden("Stance: "),
                stanceBadge(response.stance),
                response.stance_phrase ? [" ", h("q", { class: "stance-phrase" }, response.stance_phrase)] : null,
              ),
              h("p", { class: "count" }, `${response.affiliation_line} · ${plural(response.word_count, "word")}`),
            ),
          ),
        ),
      ),
    ],
  };
}

function searchHit(hit) {
  return h(
    "li",
    { class: "result", "data-expert": hit.expert.slug, "data-article": hit.article.slug },
    h("h2", { class: "result-title" }, viewLink({ expert: hit.expert.slug }, hit.expert.name)),
    h(
      "p",
      { class: "argument-meta" },
      hidden("Stance: "),
      stanceBadge(hit.stance),
      " · in ",
      viewLink({ article: hit.article.slug }, hit.article.title, {}, hit.expert.slug),
      ", ",
      dateElement(hit.article.published_on),
    ),
    h("blockquote", { class: "snippet" }, h("p", {}, snippet(hit.snippet))),
  );
}

export async function search(params, signal) {
  const query = params.get("q").trim();
  let result;
  try {
    result = await api.search(query, null, signal);
  } catch (error) {
    if (error.status !== 422) throw error;
    return {
      title: `Search: ${query}`,
      nodes: [
        backToRoundups(),
        heading(h("span", { class: "kicker-inline" }, "Search: "), query),
        h("p", { class: "error", role: "alert" }, error.message, " ", error.reasons.join("; ")),
        queryHelp(),
      ],
    };
  }
  const list = h("ol", { class: "results" }, result.items.map(searchHit));
  const more = h("button", { type: "button", class: "more" }, "More answers");
  let cursor = result.next_cursor;
  more.hidden = !cursor;
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const page = await api.search(query, cursor, signal);
      const added = page.items.map(searchHit);
      list.append(...added);
      // Keyboard and screen-reader users continue at the first new answer.
      added[0]?.querySelector("a").focus();
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } finally {
      more.disabled = false;
    }
  });
  return {
    title: `Search: ${query}`,
    nodes: [
      backToRoundups(),
      heading(h("span", { class: "kicker-inline" }, "Search: "), query),
      h(
        "p",
        { class: "counts", role: "status" },
        result.total === 0
          ? `No answer matches ${result.query}.`
          : `${plural(result.total, "answer")} ${result.total === 1 ? "matches" : "match"} ${result.query}, most relevant first.`,
      ),
      list,
      more,
      queryHelp(),
    ],
  };
}

function queryHelp() {
  return h(
    "p",
    { class: "hint" },
    "Words must all appear; use \"quotes\" for a phrase, sanct* for words that start with “sanct”, and OR, NOT (in capitals) and parentheses to combine.",
  );
}

export function failure(error) {
  const notFound = error.status === 404;
  return {
    title: notFound ? "Not found" : "Something went wrong",
    nodes: [
      backToRoundups(),
      heading(notFound ? "Not found" : "Something went wrong"),
      h("p", { class: "error", role: "alert" }, error.message || "The API did not answer."),
    ],
  };
}
