// Preloaded into Portkey's process (node --import) unless --portkey-unpatched: gives every fetch
// response a mutable copy of its headers. Why: @portkey-ai/gateway 1.15.2 depends on
// @hono/node-server ^1.3.3, which npm resolves to 1.19.x; that version's Response, built from a
// fetch Response, reuses the fetch response's *immutable* Headers, and Portkey then appends its
// x-portkey-* headers to them — every streamed completion fails with "TypeError: immutable" (500).
// The cost: one Headers copy per upstream response.
const original = globalThis.fetch;
globalThis.fetch = async function fetchWithMutableHeaders(...args) {
  const response = await original.apply(this, args);
  Object.defineProperty(response, 'headers', { value: new Headers(response.headers), configurable: true });
  return response;
};
