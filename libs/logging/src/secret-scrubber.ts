// Replaces secrets in free text: values registered at run time (provider keys, gateway
// keys, the admin token), every long enough slice of them, and anything shaped like a
// provider or gateway key.

const REDACTED = '[redacted]';
const KEY_SHAPES = [
  /sk-ant-[A-Za-z0-9_-]{8,}/g,
  /sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}/g,
  /gsk_[A-Za-z0-9]{16,}/g,
  /gw-[A-Za-z0-9_-]{16,}/g,
  /AIza[0-9A-Za-z_-]{20,}/g,
];
const MIN_REGISTERED_LENGTH = 8;

/**
 * Any run of this many characters of a registered secret is scrubbed wherever it appears, so a
 * provider that echoes a key cut or shifted ("…abcdefghijklmnop1234") still leaks nothing
 * usable: 16 characters is below the length of every provider key we know, and above what
 * ordinary text shares with a random key by chance.
 */
export const SECRET_SLICE_LENGTH = 16;

/**
 * Only this much of a secret is indexed by slices (a JSON service-account blob is ~2.3 KB);
 * bounds the index's memory per secret. Longer secrets are still scrubbed whole.
 */
const MAX_INDEXED_SECRET_LENGTH = 16 * 1024;

export class SecretScrubber {
  /** Registered secrets shorter than a slice: matched whole. */
  private readonly shortSecrets = new Map<string, number>();
  private readonly longSecrets = new Map<string, number>();
  /** Every SECRET_SLICE_LENGTH-character window of every long secret, with how many secrets hold it. */
  private readonly windows = new Map<string, number>();

  register(secret: string | undefined): void {
    if (!secret || secret.length < MIN_REGISTERED_LENGTH) return;
    if (secret.length < SECRET_SLICE_LENGTH) {
      this.shortSecrets.set(secret, (this.shortSecrets.get(secret) ?? 0) + 1);
      return;
    }
    const count = this.longSecrets.get(secret) ?? 0;
    this.longSecrets.set(secret, count + 1);
    if (count > 0) return;
    for (const window of windowsOf(secret)) this.windows.set(window, (this.windows.get(window) ?? 0) + 1);
  }

  forget(secret: string): void {
    const short = this.shortSecrets.get(secret);
    if (short !== undefined) {
      if (short > 1) this.shortSecrets.set(secret, short - 1);
      else this.shortSecrets.delete(secret);
      return;
    }
    const count = this.longSecrets.get(secret);
    if (count === undefined) return;
    if (count > 1) {
      this.longSecrets.set(secret, count - 1);
      return;
    }
    this.longSecrets.delete(secret);
    for (const window of windowsOf(secret)) {
      const held = this.windows.get(window) ?? 0;
      if (held > 1) this.windows.set(window, held - 1);
      else this.windows.delete(window);
    }
  }

  /**
   * `text` with every registered secret, every SECRET_SLICE_LENGTH-character slice of one, and
   * every key-shaped token replaced by '[redacted]'. Linear in the text's length, whatever the
   * number of registered secrets: one hash lookup per text position.
   */
  scrub(text: string): string {
    let out = text;
    for (const secret of this.shortSecrets.keys()) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    for (const secret of this.longSecrets.keys()) {
      if (secret.length > MAX_INDEXED_SECRET_LENGTH && out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    if (this.windows.size > 0 && out.length >= SECRET_SLICE_LENGTH) out = this.scrubWindows(out);
    for (const shape of KEY_SHAPES) out = out.replace(shape, REDACTED);
    return out;
  }

  /** Deep copy of a log value with every string scrubbed. */
  scrubValue(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.scrub(value);
    if (value === null || typeof value !== 'object') return value;
    // Deeper than any log value of ours: left out rather than passed on unscrubbed.
    if (depth > 6) return '[depth limit]';
    if (value instanceof Error) {
      return { type: value.name, message: this.scrub(value.message), stack: value.stack && this.scrub(value.stack) };
    }
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.length} bytes]`;
    if (Array.isArray(value)) return value.map((item) => this.scrubValue(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = this.scrubValue(item, depth + 1);
    return out;
  }

  /** Marks every text window that is a window of a secret, then replaces each covered run once. */
  private scrubWindows(text: string): string {
    let out = '';
    let copiedUpTo = 0;
    let coveredUpTo = -1;
    let runStart = -1;
    const last = text.length - SECRET_SLICE_LENGTH;
    for (let i = 0; i <= last; i++) {
      if (!this.windows.has(text.slice(i, i + SECRET_SLICE_LENGTH))) continue;
      if (i > coveredUpTo) {
        if (runStart !== -1) {
          out += text.slice(copiedUpTo, runStart) + REDACTED;
          copiedUpTo = coveredUpTo;
        }
        runStart = i;
      }
      coveredUpTo = i + SECRET_SLICE_LENGTH;
    }
    if (runStart === -1) return text;
    out += text.slice(copiedUpTo, runStart) + REDACTED;
    return out + text.slice(coveredUpTo);
  }
}

/**
 * The windows of a secret in every form a provider or a library may echo it in: as it is, as it
 * appears inside a JSON string (a PEM key's newlines as `\n`, quotes as `\"`), with `/` escaped as
 * `\/` (PHP's and Java's JSON encoders), and, for a JSON credential, each string inside it decoded
 * (a service account's private key with real newlines; a value typed with `\/`).
 */
function windowsOf(secret: string): Set<string> {
  const windows = new Set<string>();
  for (const value of [secret, ...jsonStringsIn(secret)]) {
    const quoted = JSON.stringify(value).slice(1, -1);
    for (const form of new Set([value, quoted, quoted.replaceAll('/', '\\/')])) {
      const indexed = form.slice(0, MAX_INDEXED_SECRET_LENGTH);
      for (let i = 0; i + SECRET_SLICE_LENGTH <= indexed.length; i++) windows.add(indexed.slice(i, i + SECRET_SLICE_LENGTH));
    }
  }
  return windows;
}

/** The string values inside a secret that is a JSON object or array; none otherwise. */
function jsonStringsIn(secret: string): string[] {
  if (!/^\s*[[{]/.test(secret)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret);
  } catch {
    return [];
  }
  const strings: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.length >= SECRET_SLICE_LENGTH) strings.push(value);
    } else if (value && typeof value === 'object') {
      for (const inner of Object.values(value)) visit(inner);
    }
  };
  visit(parsed);
  return strings;
}

/**
 * A scrubber for one attempt's key (and the process-wide registered secrets): every provider
 * text the adapter logs, embeds in an error or returns goes through it.
 */
export function attemptScrubber(apiKey: string | undefined, shared: SecretScrubber = secretScrubber): (text: string) => string {
  if (!apiKey || apiKey.length < MIN_REGISTERED_LENGTH) return (text) => shared.scrub(text);
  // Built on first use: most attempts never fail, and indexing a key costs one string per character.
  let own: SecretScrubber | undefined;
  return (text) => {
    if (!own) {
      own = new SecretScrubber();
      own.register(apiKey);
    }
    return shared.scrub(own.scrub(text));
  };
}

/** One scrubber per process: every logger and every error path consults it. */
export const secretScrubber = new SecretScrubber();
