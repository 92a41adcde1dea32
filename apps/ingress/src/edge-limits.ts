// Bounds the ingress enforces where a request enters, each with its reason. A request over
// one gets a 400 (or 413/431/408) naming the limit; none of them can make the gateway work
// harder for one client at everyone else's expense.

/** Longest `model`. Real names are under 100 characters; the name travels in gRPC metadata and errors. */
export const MAX_MODEL_NAME_LENGTH = 256;

/** Longest path parameter, percent-encoded: a model name of the admin API (200 characters, `/` sent as `%2F`) fits; Fastify's default is 100. */
export const MAX_PATH_PARAM_LENGTH = 600;

/** Most `messages` in one chat request. Long agent transcripts stay well under it. */
export const MAX_MESSAGES = 4_096;

/** Most `tools`: OpenAI's own documented limit for one request. */
export const MAX_TOOLS = 128;

/** Most `stop` sequences, as OpenAI accepts. */
export const MAX_STOP_SEQUENCES = 4;

/** Most embeddings inputs in one request: OpenAI's documented limit. */
export const MAX_EMBEDDING_INPUTS = 2_048;

/** Largest request head (request line + headers), Node's default; over it the answer is 431. */
export const MAX_HEADER_BYTES = 16 * 1024;

/** Time a client has to send its headers; a slow sender holds a socket and nothing more. */
export const HEADERS_TIMEOUT_MS = 15_000;

/** Most `stop_sequences` in a Messages request: Anthropic sets no documented cap; far above real use, it bounds the work of matching them. */
export const MAX_ANTHROPIC_STOP_SEQUENCES = 256;

/** Most content blocks in one Messages turn: a bound on the work of translating a turn for another provider. */
export const MAX_CONTENT_BLOCKS = 4_096;
