// The explorer's router: the URL's query string is the state (?article=, ?tag=, ?q=,
// ?expert=), links and the search form push history entries, and Back re-renders.

import * as views from "./views.js";

const main = document.getElementById("main");
const searchInput = document.getElementById("search-input");
const searchForm = searchInput.form;
let current = null; // the query string on screen
let controller = null;

function chooseView(params) {
  if (params.get("article")) return views.article;
  if (params.get("tag")) return views.tag;
  if (params.get("q")?.trim()) return views.search;
  if (params.get("expert")) return views.expert;
  return views.home;
}

async function render({ focus, scrollTo }) {
  const params = new URLSearchParams(window.location.search);
  current = window.location.search;
  controller?.abort();
  controller = new AbortController();
  const { signal } = controller;
  searchInput.value = params.get("q") ?? "";
  main.setAttribute("aria-busy", "true");
  let view;
  try {
    view = await chooseView(params)(params, signal);
  } catch (error) {
    if (signal.aborted) return;
    view = views.failure(error);
  }
  if (signal.aborted) return;
  main.replaceChildren(...view.nodes.flat(Infinity).filter(Boolean));
  main.removeAttribute("aria-busy");
  document.title = `${view.title} · Roundup explorer`;
  place({ focus, scrollTo });
}

function place({ focus, scrollTo }) {
  const target = window.location.hash
    ? document.getElementById(decodeURIComponent(window.location.hash.slice(1)))
    : null;
  if (target) {
    target.scrollIntoView();
    if (focus) target.focus({ preventScroll: true });
    return;
  }
  window.scrollTo(0, scrollTo ?? 0);
  // Move focus to the new view's heading so screen readers announce it.
  if (focus) main.querySelector("h1")?.focus({ preventScroll: true });
}

function navigate(url) {
  history.replaceState({ scroll: window.scrollY }, "");
  history.pushState({}, "", url);
  render({ focus: true, scrollTo: 0 });
}

document.addEventListener("click", (event) => {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest?.("a[href]");
  if (!link || link.target || link.hasAttribute("download")) return;
  const url = new URL(link.href);
  if (url.origin !== window.location.origin || url.pathname !== "/") return;
  if (url.search === window.location.search && url.hash) return; // in-page anchor
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});

searchForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const query = searchInput.value.trim();
  if (!query) return;
  navigate(`/?${new URLSearchParams({ q: query })}`);
});

window.addEventListener("popstate", (event) => {
  if (window.location.search === current) return; // only the fragment changed
  render({ focus: true, scrollTo: event.state?.scroll ?? 0 });
});

history.scrollRestoration = "manual";
render({ focus: false });
