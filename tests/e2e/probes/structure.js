// Structural accessibility problems: unlabelled controls, nameless links and buttons,
// not exactly one h1, skipped heading levels, missing landmarks or document language.
() => {
  const problems = [];
  for (const control of document.querySelectorAll("input, select, textarea")) {
    if (!control.labels?.length && !control.getAttribute("aria-label")) {
      problems.push(`unlabelled ${control.name}`);
    }
  }
  for (const element of document.querySelectorAll("a, button")) {
    if (!(element.textContent.trim() || element.getAttribute("aria-label"))) {
      problems.push(`nameless ${element.outerHTML}`);
    }
  }
  if (document.querySelectorAll("h1").length !== 1) problems.push("not exactly one h1");
  let previous = 1;
  for (const heading of document.querySelectorAll("main h1, main h2, main h3, main h4")) {
    const level = Number(heading.tagName[1]);
    if (level > previous + 1) problems.push(`heading skips to h${level}: ${heading.textContent}`);
    previous = level;
  }
  for (const selector of ["header", "main", "footer", "[role=search]"]) {
    if (!document.querySelector(selector)) problems.push(`no ${selector}`);
  }
  if (!document.documentElement.lang) problems.push("no lang");
  return problems;
}
