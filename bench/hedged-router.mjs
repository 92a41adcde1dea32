// The router of the hedging bench: dist's router, started as its main.js does, with the hedge
// policy injected (RouterDeps.hedgeFor) until the routing policy store provides it. Bench only:
// BENCH_HEDGE_POLICIES is this script's JSON {"model": {"afterMs": 150, "maxShare": 0.2}}.
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const dist = join(resolve(import.meta.dirname, '..'), 'dist');
const { createApp } = require(join(dist, 'apps/router/src/app.js'));
const { createLogger } = require(join(dist, 'node_modules/@ai-gateway/logging'));
const { runService } = require(join(dist, 'node_modules/@ai-gateway/service-kit'));

const policies = JSON.parse(process.env.BENCH_HEDGE_POLICIES ?? '{}');
const logger = createLogger({ service: 'router', level: process.env.LOG_LEVEL, file: process.env.LOG_FILE });
runService(() => createApp(process.env, logger, { hedgeFor: (model) => policies[model] }), logger, async () => undefined);
