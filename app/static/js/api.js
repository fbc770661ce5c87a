// The public JSON API, by relative URL: the explorer uses nothing else.

export class ApiError extends Error {
  constructor(status, detail, reasons = []) {
    super(detail);
    this.status = status;
    this.reasons = reasons; // from a problem document's invalid_params
  }
}

function url(path, params) {
  const target = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(params ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      target.searchParams.append(name, String(item));
    }
  }
  return target.pathname + target.search;
}

export async function getJson(path, params, signal) {
  const response = await fetch(url(path, params), {
    headers: { Accept: "application/json" },
    signal,
  });
  if (!response.ok) {
    let detail = response.statusText;
    let reasons = [];
    try {
      const problem = await response.json();
      detail = problem.detail ?? detail;
      reasons = (problem.invalid_params ?? []).map((param) => param.reason);
    } catch {
      // Not a problem document: keep the status text.
    }
    throw new ApiError(response.status, detail, reasons);
  }
  return response.json();
}

/** Every item of a list endpoint, following `next_cursor` (bounded). */
export async function getAll(path, params, signal, maxPages = 20) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < maxPages; page += 1) {
    const body = await getJson(path, { ...params, limit: 500, ...(cursor ? { cursor } : {}) }, signal);
    items.push(...body.items);
    cursor = body.next_cursor;
    if (!cursor) break;
  }
  return items;
}

export const api = {
  articles: (signal) => getAll("/v1/articles", {}, signal),
  article: (slug, signal) => getJson(`/v1/articles/${encodeURIComponent(slug)}`, {}, signal),
  summary: (slug, signal) =>
    getJson(`/v1/articles/${encodeURIComponent(slug)}/summary`, {}, signal),
  tags: async (signal) => (await getJson("/v1/tags", {}, signal)).items, // one page by design
  tag: (slug, signal) => getJson(`/v1/tags/${encodeURIComponent(slug)}`, {}, signal),
  argumentsWithTag: (slug, signal) => getAll("/v1/arguments", { tag: slug }, signal),
  experts: (signal) => getAll("/v1/experts", {}, signal),
  expert: (slug, signal) => getJson(`/v1/experts/${encodeURIComponent(slug)}`, {}, signal),
  // Whole answers only (not their arguments or article titles): one hit per answer.
  search: (query, cursor, signal) =>
    getJson("/v1/search", { q: query, type: "response", limit: 20, ...(cursor ? { cursor } : {}) }, signal),
};
