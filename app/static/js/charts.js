// Stance charts in SVG. Sizes are SVG attributes (never style attributes), so they work
// under a strict Content-Security-Policy; colours come from the stylesheet's stance classes.

import { h, plural, stanceLabel, svg } from "./dom.js";

function describe(counts) {
  return counts
    .filter((row) => row.count > 0)
    .map((row) => `${row.count} ${stanceLabel(row.stance)}`)
    .join(", ");
}

/** A one-line stacked bar of stance counts, with a text legend under it. */
export function stanceBar(counts, total) {
  const known = counts.filter((row) => row.count > 0);
  const sum = known.reduce((acc, row) => acc + row.count, 0) || 1;
  const bar = svg("svg", {
    class: "stance-bar",
    width: "100%",
    height: 14,
    role: "img",
    "aria-label": `Stances of ${plural(total, "expert")}: ${describe(known)}`,
  });
  let x = 0;
  for (const row of known) {
    const width = (row.count / sum) * 100;
    bar.append(
      svg("rect", {
        class: `fill-${row.stance}`,
        x: `${x}%`,
        y: 0,
        width: `${width}%`,
        height: 14,
        "data-stance": row.stance,
        "data-count": row.count,
      }),
    );
    x += width;
  }
  const legend = h(
    "ul",
    { class: "legend" },
    known.map((row) =>
      h(
        "li",
        { "data-stance": row.stance },
        h("span", { class: `swatch swatch-${row.stance}`, "aria-hidden": "true" }),
        `${stanceLabel(row.stance)}: `,
        h("span", { class: "legend-count" }, String(row.count)),
      ),
    ),
  );
  return h("div", { class: "stance-summary" }, bar, legend);
}

const ROW = 46;

/**
 * One horizontal bar per stance ([{stance, count, experts?}], as the summary endpoint lists
 * them: every stance, zeros included), labelled, with its count written at the end of the bar
 * (readable without hovering), and the same numbers in a table for screen readers.
 */
export function stanceChart(rows, caption) {
  const max = Math.max(1, ...rows.map((row) => row.count));
  const titleId = "stance-chart-title";
  const chart = svg(
    "svg",
    {
      class: "stance-chart",
      width: "100%",
      height: rows.length * ROW,
      role: "img",
      "aria-labelledby": titleId,
    },
    svg("title", { id: titleId }, `${caption}: ${describe(rows) || "no answers"}`),
  );
  rows.forEach((row, index) => {
    const top = index * ROW;
    const width = (row.count / max) * 82;
    chart.append(
      svg(
        "g",
        { class: "chart-row", "data-stance": row.stance },
        svg("text", { class: "chart-label", x: 0, y: top + 14 }, stanceLabel(row.stance)),
        svg("rect", {
          class: `fill-${row.stance}`,
          x: 0,
          y: top + 20,
          width: `${width}%`,
          height: 18,
          rx: 2,
        }),
        svg(
          "text",
          { class: "chart-count", x: `${width}%`, dx: row.count > 0 ? 8 : 0, y: top + 34 },
          String(row.count),
        ),
      ),
    );
  });
  // Wrapped: a table grows to fit its content whatever its width, the wrapper clips it.
  const table = h(
    "table",
    {},
    h("caption", {}, caption),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, "Stance"),
        h("th", { scope: "col" }, "Experts"),
        h("th", { scope: "col" }, "Who"),
      ),
    ),
    h(
      "tbody",
      {},
      rows.map((row) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, stanceLabel(row.stance)),
          h("td", {}, String(row.count)),
          h("td", {}, (row.experts ?? []).map((expert) => expert.name).join(", ")),
        ),
      ),
    ),
  );
  return h("figure", { class: "chart" }, chart, h("div", { class: "visually-hidden" }, table));
}
