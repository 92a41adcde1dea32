import { Module } from '@nestjs/common';

/** Ingress routes are registered on Fastify directly (app.ts): the hot path skips Nest's per-request pipeline. */
@Module({})
export class IngressAppModule {}
