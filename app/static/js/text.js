// Answer bodies with their argument spans marked in place, and search snippets.

import { h, hidden, tagChip } from "./dom.js";

/**
 * The body as paragraphs ("\n\n" separates them), each argument's [start, end) wrapped in
 * <mark> and followed by its tag chips. Offsets count code points, as the API does.
 */
export function answerBody(body, args) {
  const chars = Array.from(body);
  const spans = args
    .filter((arg) => arg.start < arg.end && arg.end <= chars.length)
    .sort((a, b) => a.start - b.start || a.position - b.position);
  const paragraphs = [];
  let start = 0;
  for (const part of body.split("\n\n")) {
    const length = Array.from(part).length;
    paragraphs.push([start, start + length]);
    start += length + 2;
  }
  return paragraphs.map(([from, to]) => paragraph(chars, spans, from, to));
}

function paragraph(chars, spans, from, to) {
  const inside = spans.filter((arg) => arg.start < to && arg.end > from);
  const cuts = new Set([from, to]);
  for (const arg of inside) {
    cuts.add(Math.max(arg.start, from));
    cuts.add(Math.min(arg.end, to));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const element = h("p");
  for (let i = 0; i + 1 < points.length; i += 1) {
    const [a, b] = [points[i], points[i + 1]];
    const text = chars.slice(a, b).join("");
    const covering = inside.filter((arg) => arg.start <= a && arg.end >= b);
    if (covering.length === 0) {
      element.append(text);
      continue;
    }
    element.append(
      h(
        "mark",
        {
          class: covering.length > 1 ? "arg overlap" : "arg",
          "data-args": covering.map((arg) => arg.position).join(" "),
        },
        text,
      ),
    );
    // Chips follow the span's end (a span ending on the paragraph break counts as ending here).
    const ending = covering.filter((arg) => arg.end === b || (b === to && arg.end > to && arg.end <= to + 2));
    for (const arg of ending) {
      element.append(argumentTags(arg));
    }
  }
  return element;
}

function argumentTags(arg) {
  return h(
    "span",
    { class: "arg-tags", "data-arg": arg.position },
    hidden(` (${arg.kind}; tags: `),
    arg.tags.map((tag) => [" ", tagChip(tag)]),
    hidden(")"),
  );
}

/**
 * A search snippet. The API returns it HTML-escaped with <mark> around the matches; it is
 * parsed in an inert document and rebuilt from text and <mark> only, so nothing else the
 * string might contain (elements, attributes, handlers) reaches the page.
 */
export function snippet(html) {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const out = [];
  for (const node of parsed.body.childNodes) {
    if (node.nodeType === Node.ELEMENT_NODE && node.nodeName === "MARK") {
      out.push(h("mark", { class: "hit" }, node.textContent));
    } else {
      out.push(node.textContent);
    }
  }
  return out;
}
