// Replaces secrets in free text: values registered at run time (provider keys, gateway
// keys, the admin token) and anything shaped like a provider or gateway key.

const REDACTED = '[redacted]';
const KEY_SHAPES = [
  /sk-ant-[A-Za-z0-9_-]{8,}/g,
  /sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}/g,
  /gw-[A-Za-z0-9_-]{16,}/g,
  /AIza[0-9A-Za-z_-]{20,}/g,
];
const MIN_REGISTERED_LENGTH = 8;

export class SecretScrubber {
  private readonly secrets = new Set<string>();

  register(secret: string | undefined): void {
    if (secret && secret.length >= MIN_REGISTERED_LENGTH) this.secrets.add(secret);
  }

  forget(secret: string): void {
    this.secrets.delete(secret);
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    for (const shape of KEY_SHAPES) out = out.replace(shape, REDACTED);
    return out;
  }

  /** Deep copy of a log value with every string scrubbed. */
  scrubValue(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.scrub(value);
    if (depth > 6 || value === null || typeof value !== 'object') return value;
    if (value instanceof Error) {
      return { type: value.name, message: this.scrub(value.message), stack: value.stack && this.scrub(value.stack) };
    }
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.length} bytes]`;
    if (Array.isArray(value)) return value.map((item) => this.scrubValue(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = this.scrubValue(item, depth + 1);
    return out;
  }
}

/** One scrubber per process: every logger and every error path consults it. */
export const secretScrubber = new SecretScrubber();
