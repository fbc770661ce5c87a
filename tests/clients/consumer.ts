// A strict consumer of the generated types (openapi-typescript + openapi-fetch): it must
// compile with no casts and no narrowing of the list types.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/roundup";

type Problem = components["schemas"]["Problem"];
type ArticleListItem = components["schemas"]["ArticleListItem"];

const api = createClient<paths>({ baseUrl: "http://127.0.0.1:8000" });

function fail(problem: Problem): never {
  throw new Error(`${problem.status} ${problem.title}: ${problem.detail}`);
}

export async function articleSlugs(): Promise<string[]> {
  const { data, error } = await api.GET("/v1/articles", {
    params: { query: { limit: 5, sort: "-published_on" } },
  });
  if (error !== undefined) return fail(error);
  const items: ArticleListItem[] = data.items;
  return items.map((article) => article.slug);
}

export async function notYetAnswers(): Promise<number> {
  const { data, error } = await api.GET("/v1/responses", {
    params: { query: { stance: ["not_yet", "no"], tag_match: "all", facets: "stance" } },
  });
  if (error !== undefined) return fail(error);
  return data.total + (data.facets?.["stance"]?.length ?? 0);
}

export async function argumentKinds(): Promise<string[]> {
  const { data, error } = await api.GET("/v1/arguments", {
    params: { query: { kind: ["claim"], limit: 2 } },
  });
  if (error !== undefined) return fail(error);
  return data.items.map((argument) => argument.kind);
}

export async function hits(): Promise<string[]> {
  const { data, error } = await api.GET("/v1/search", {
    params: { query: { q: '"frozen assets"', type: ["response"] } },
  });
  if (error !== undefined) return fail(error);
  return data.items.map((hit) => hit.snippet);
}

export async function expertName(slug: string): Promise<string> {
  const { data, error } = await api.GET("/v1/experts/{slug}", {
    params: { path: { slug } },
  });
  if (error !== undefined) return fail(error);
  return data.name;
}

/** A conditional request: a 304 is neither data nor error. */
export async function tagsIfChanged(etag: string): Promise<number | "unchanged"> {
  const { data, error, response } = await api.GET("/v1/tags", {
    headers: { "If-None-Match": etag },
  });
  if (response.status === 304) return "unchanged";
  if (error !== undefined) return fail(error);
  return data.total;
}

export async function jsonLdHeadline(slug: string): Promise<string> {
  const { data, error } = await api.GET("/v1/articles/{slug}/jsonld", {
    params: { path: { slug } },
  });
  if (error !== undefined) return fail(error);
  return `${data["@id"]} ${data.headline}`;
}

export async function dumpBytes(): Promise<Uint8Array> {
  const { data, error } = await api.GET("/v1/dump", { parseAs: "arrayBuffer" });
  if (error !== undefined) return fail(error);
  return new Uint8Array(data);
}

export async function articlesCsv(): Promise<string> {
  const { data, error } = await api.GET("/v1/exports/articles", {
    params: { query: { format: "csv", series: ["Taking the Pulse"] } },
    parseAs: "text",
  });
  if (error !== undefined) return fail(error);
  return data;
}
