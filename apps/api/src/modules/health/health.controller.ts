import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ZHealthResponse, type THealthResponse } from '@orbitdesk/shared';
import { Public } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { RedisService } from '../../common/redis/redis.module.js';
import { Database } from '../../db/database.js';

const within = (ms: number, p: Promise<unknown>) =>
  Promise.race([
    p.then(() => 'up' as const),
    new Promise<'down'>((r) => setTimeout(() => r('down'), ms).unref()),
  ]).catch(() => 'down' as const);

@Controller('health')
export class HealthController {
  constructor(
    private readonly db: Database,
    private readonly redis: RedisService,
  ) {}

  @Get()
  @Public()
  @Contract({
    summary: 'Liveness and dependencies (503 names what is down)',
    tags: ['Health'],
    response: ZHealthResponse,
    errors: { 503: 'Postgres or Redis is down' },
  })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<THealthResponse> {
    const [postgres, redis] = await Promise.all([
      within(2000, this.db.ping()),
      within(2000, this.redis.ping()),
    ]);
    const down = [postgres === 'down' && 'postgres', redis === 'down' && 'redis'].filter(Boolean);
    if (down.length) void reply.status(503);
    return { status: down.length ? 'degraded' : 'ok', checks: { postgres, redis } };
  }
}
