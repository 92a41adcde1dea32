// Configuration read once at start from the environment, validated, then typed.
import { grpcAddressProblem } from './grpc-target';

export class ConfigError extends Error {
  constructor(readonly variable: string, reason: string) {
    super(`invalid configuration: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

type Spec =
  | { type: 'string'; default?: string; required?: boolean }
  | { type: 'port'; default?: number }
  | { type: 'int'; default?: number; min?: number; max?: number }
  | { type: 'enum'; values: readonly string[]; default?: string }
  | { type: 'url'; default?: string; required?: boolean }
  | { type: 'hostport'; default?: string; required?: boolean };

type ValueOf<S extends Spec> = S extends { type: 'port' | 'int' } ? number : string;

export type EnvSchema = Record<string, Spec>;
export type EnvConfig<S extends EnvSchema> = { readonly [K in keyof S]: ValueOf<S[K]> };

export type Environment = Readonly<Record<string, string | undefined>>;

export function readEnv<S extends EnvSchema>(schema: S, env: Environment = process.env): EnvConfig<S> {
  const out: Record<string, string | number> = {};
  for (const [name, spec] of Object.entries(schema)) {
    const raw = env[name];
    const value = raw === undefined || raw === '' ? undefined : raw.trim();
    out[name] = parse(name, spec, value);
  }
  return out as EnvConfig<S>;
}

function parse(name: string, spec: Spec, value: string | undefined): string | number {
  switch (spec.type) {
    case 'port': {
      if (value === undefined) {
        if (spec.default === undefined) throw new ConfigError(name, 'is required (a TCP port)');
        return spec.default;
      }
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(name, `must be a TCP port 0-65535, got "${value}"`);
      return port;
    }
    case 'int': {
      if (value === undefined) {
        if (spec.default === undefined) throw new ConfigError(name, 'is required (an integer)');
        return spec.default;
      }
      const n = Number(value);
      if (!Number.isInteger(n)) throw new ConfigError(name, `must be an integer, got "${value}"`);
      if (spec.min !== undefined && n < spec.min) throw new ConfigError(name, `must be at least ${spec.min}, got ${n}`);
      if (spec.max !== undefined && n > spec.max) throw new ConfigError(name, `must be at most ${spec.max}, got ${n}`);
      return n;
    }
    case 'enum': {
      const v = value ?? spec.default;
      if (v === undefined) throw new ConfigError(name, `is required (one of ${spec.values.join(', ')})`);
      if (!spec.values.includes(v)) throw new ConfigError(name, `must be one of ${spec.values.join(', ')}, got "${v}"`);
      return v;
    }
    case 'url': {
      const v = value ?? spec.default;
      if (v === undefined) {
        if (spec.required) throw new ConfigError(name, 'is required (an http(s) URL)');
        return '';
      }
      let url: URL;
      try {
        url = new URL(v);
      } catch {
        throw new ConfigError(name, `must be an http(s) URL, got "${v}"`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, `must be an http(s) URL, got "${v}"`);
      return v.replace(/\/+$/, '');
    }
    case 'hostport': {
      const v = value ?? spec.default;
      if (v === undefined) {
        if (spec.required) throw new ConfigError(name, 'is required (host:port)');
        return '';
      }
      const problem = grpcAddressProblem(v);
      if (problem) throw new ConfigError(name, problem);
      return v;
    }
    case 'string': {
      const v = value ?? spec.default;
      if (v === undefined) {
        if (spec.required) throw new ConfigError(name, 'is required');
        return '';
      }
      return v;
    }
  }
}
