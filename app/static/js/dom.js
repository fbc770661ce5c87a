// DOM helpers: every piece of API text becomes a text node, never markup.

const SVG_NS = "http://www.w3.org/2000/svg";

function build(element, attrs, children) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** An HTML element: h("a", {href: "/"}, "text", otherNode). */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element. */
export function svg(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** Text for screen readers only. */
export function hidden(...children) {
  return h("span", { class: "visually-hidden" }, ...children);
}

// The stance enum in API order, with the words shown on badges and in charts.
export const STANCES = [
  ["yes", "Yes"],
  ["yes_conditional", "Yes, with conditions"],
  ["not_yet", "Not yet"],
  ["no", "No"],
  ["mixed", "Mixed"],
  ["unclear", "Unclear"],
];
const STANCE_LABELS = new Map(STANCES);

export function stanceLabel(stance) {
  return STANCE_LABELS.get(stance) ?? stance;
}

export function stanceBadge(stance) {
  return h("span", { class: `badge stance-${stance}`, "data-stance": stance }, stanceLabel(stance));
}

const DATE_FORMAT = new Intl.DateTimeFormat("en-US", { dateStyle: "long", timeZone: "UTC" });

export function formatDate(isoDate) {
  return DATE_FORMAT.format(new Date(`${isoDate}T00:00:00Z`));
}

export function dateElement(isoDate) {
  return h("time", { datetime: isoDate }, formatDate(isoDate));
}

/** A link inside the explorer, from query parameters (and an optional fragment). */
export function viewUrl(params, fragment) {
  const query = new URLSearchParams(params).toString();
  return `/${query ? `?${query}` : ""}${fragment ? `#${fragment}` : ""}`;
}

export function viewLink(params, children, attrs = {}, fragment = undefined) {
  return h("a", { ...attrs, href: viewUrl(params, fragment) }, children);
}

export function tagChip(tag, current = false) {
  return viewLink({ tag: tag.slug }, tag.label, {
    class: current ? "chip current" : "chip",
    "data-tag": tag.slug,
    "aria-current": current ? "page" : null,
  });
}

export function plural(count, one, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`;
}
