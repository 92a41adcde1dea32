// Validates rendered Kubernetes objects (a JSON array on stdin) and prints a JSON array of
// {kind, name, errors}. Runs as its own ESM process because kubernetes-models v5 is ESM-only
// (its package exports have no `require` condition) and jest runs the tests as CommonJS.
//  - built-in kinds: the kubernetes-models class of the object's apiVersion/kind (validate());
//  - monitoring.coreos.com/v1 ServiceMonitor and PrometheusRule: ObjectMeta from
//    @kubernetes-models/apimachinery plus the subsets of the CRDs' published openAPIV3Schema
//    (prometheus-operator jsonnet/prometheus-operator/{servicemonitors,prometheusrules}-crd.json)
//    in crd-schemas.mjs, checked by the small JSON-schema checker below;
//  - anything else: an error (unknown kind).
import { ObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import { CRD_SCHEMAS } from './crd-schemas.mjs';

const input = JSON.parse(await new Promise((resolve) => {
  let data = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => (data += chunk));
  process.stdin.on('end', () => resolve(data));
}));

/** A minimal JSON-schema checker: type, required, properties, additionalProperties, items, enum, pattern, minLength, anyOf. */
export function check(schema, value, path = '') {
  const errors = [];
  if (schema.anyOf) {
    if (!schema.anyOf.some((s) => check(s, value, path).length === 0)) errors.push(`${path || '/'}: matches none of anyOf`);
    return errors;
  }
  const type = Array.isArray(value) ? 'array' : value === null ? 'null' : Number.isInteger(value) ? 'integer' : typeof value;
  if (schema.type && !(schema.type === type || (schema.type === 'number' && type === 'integer'))) {
    return [`${path || '/'}: expected ${schema.type}, got ${type}`];
  }
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in ${schema.enum.join(', ')}`);
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern.replace('(?i)', '')).test(value)) errors.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    if (schema.minLength && value.length < schema.minLength) errors.push(`${path}: shorter than ${schema.minLength}`);
  }
  if (type === 'array' && schema.items) value.forEach((item, i) => errors.push(...check(schema.items, item, `${path}/${i}`)));
  if (type === 'object') {
    for (const key of schema.required ?? []) if (!(key in value)) errors.push(`${path}/${key}: required`);
    for (const [key, v] of Object.entries(value)) {
      if (schema.properties?.[key]) errors.push(...check(schema.properties[key], v, `${path}/${key}`));
      else if (schema.additionalProperties === false) errors.push(`${path}/${key}: not allowed`);
      else if (typeof schema.additionalProperties === 'object') errors.push(...check(schema.additionalProperties, v, `${path}/${key}`));
    }
  }
  return errors;
}

async function modelClass(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : [null, apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
  try {
    const mod = await import(path);
    const cls = mod[kind];
    return cls && cls.apiVersion === apiVersion && cls.kind === kind ? cls : undefined;
  } catch {
    return undefined;
  }
}

const results = [];
for (const obj of input) {
  const kind = obj?.kind;
  const name = obj?.metadata?.name;
  const errors = [];
  const crd = CRD_SCHEMAS[`${obj?.apiVersion}/${kind}`];
  if (crd) {
    try { new ObjectMeta(obj.metadata).validate(); } catch (e) { errors.push(`metadata: ${e.message}`); }
    errors.push(...check(crd, obj));
  } else {
    const cls = await modelClass(obj?.apiVersion ?? '', kind ?? '');
    if (!cls) errors.push(`unknown apiVersion/kind ${obj?.apiVersion}/${kind}`);
    else {
      try { new cls(obj).validate(); } catch (e) { errors.push(e.message); }
    }
  }
  results.push({ kind, name, errors });
}
process.stdout.write(JSON.stringify(results));
