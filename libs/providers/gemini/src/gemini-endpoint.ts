// Where a request goes, per kind:
// - gemini (Google AI Studio): {base}/v1beta/models/{model}:{method}, key in x-goog-api-key;
//   base https://generativelanguage.googleapis.com (GEMINI_BASE_URL convention: no /v1beta).
// - vertex (Vertex AI): {base}/v1/projects/{project}/locations/{location}/publishers/google/
//   models/{model}:{method}, OAuth2 bearer; base https://aiplatform.googleapis.com for the
//   `global` location, https://aiplatform.{us|eu}.rep.googleapis.com for the multi-regions `us`
//   and `eu` (as googleapis/js-genai picks them), https://{location}-aiplatform.googleapis.com for
//   a region. A provider whose
//   base URL is the global endpoint and whose location is a region is sent to the region's
//   endpoint (regional resources are served there); any other base URL (a private endpoint, a
//   test's fake) is used as it is.

export type GeminiKind = 'gemini' | 'vertex';
export type GeminiMethod = 'generateContent' | 'streamGenerateContent' | 'batchEmbedContents' | 'predict';

export const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';
export const VERTEX_GLOBAL_BASE_URL = 'https://aiplatform.googleapis.com';

export interface VertexLocation {
  project: string;
  location: string;
}

/** Model ids, projects and locations go into a URL path: only the characters their names use. */
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
const PROJECT_ID = /^[a-z][a-z0-9-]{4,62}$/;
const LOCATION = /^[a-z][a-z0-9-]{1,62}$/;

export class EndpointConfigError extends Error {}

/** The full URL of one call. Throws EndpointConfigError when the model or the provider's settings cannot form one. */
export function geminiUrl(kind: GeminiKind, baseUrl: string, model: string, method: GeminiMethod, vertex?: Partial<VertexLocation>): string {
  const id = model.replace(/^models\//, '');
  if (!MODEL_ID.test(id)) throw new EndpointConfigError(`model id '${id.slice(0, 128)}' is not a Gemini model name`);
  const query = method === 'streamGenerateContent' ? '?alt=sse' : '';
  if (kind === 'gemini') return `${trimmed(baseUrl || GEMINI_DEFAULT_BASE_URL)}/v1beta/models/${id}:${method}${query}`;
  const { project, location } = vertexLocation(vertex);
  const given = trimmed(baseUrl);
  const base = given === '' || given === VERTEX_GLOBAL_BASE_URL ? vertexBaseUrl(location) : given;
  return `${base}/v1/projects/${project}/locations/${location}/publishers/google/models/${id}:${method}${query}`;
}

/** Multi-regional locations, served from their own `rep` endpoints. */
const MULTI_REGIONS = new Set(['us', 'eu']);

/** Vertex's endpoint for a location: the global one, a multi-region's, or the region's. */
export function vertexBaseUrl(location: string): string {
  if (location === 'global') return VERTEX_GLOBAL_BASE_URL;
  if (MULTI_REGIONS.has(location)) return `https://aiplatform.${location}.rep.googleapis.com`;
  return `https://${location}-aiplatform.googleapis.com`;
}

function vertexLocation(vertex: Partial<VertexLocation> | undefined): VertexLocation {
  const project = vertex?.project ?? '';
  const location = vertex?.location || 'global';
  if (!PROJECT_ID.test(project)) throw new EndpointConfigError('the Vertex provider has no valid `project` setting');
  if (!LOCATION.test(location)) throw new EndpointConfigError('the Vertex provider has no valid `location` setting');
  return { project, location };
}

function trimmed(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}
