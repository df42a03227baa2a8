import { Injectable } from '@nestjs/common';
import { RedisService } from '../../common/redis/redis.module.js';
import { ACCESS_TOKEN_TTL_SECONDS } from './token.service.js';

/**
 * Access tokens are stateless for 15 minutes. When a user is deactivated or a tenant stops being ACTIVE, this
 * marks them in Redis so live access tokens stop working at once; refresh re-checks the database anyway.
 */
@Injectable()
export class AccessRevocationService {
  constructor(private readonly redis: RedisService) {}

  async blockUser(userId: string): Promise<void> {
    await this.redis.client.set(`authz:user:${userId}`, '1', 'EX', ACCESS_TOKEN_TTL_SECONDS + 60);
  }

  async unblockUser(userId: string): Promise<void> {
    await this.redis.client.del(`authz:user:${userId}`);
  }

  async setTenantBlocked(tenantId: string, blocked: boolean): Promise<void> {
    if (blocked)
      await this.redis.client.set(`authz:tenant:${tenantId}`, '1', 'EX', ACCESS_TOKEN_TTL_SECONDS + 60);
    else await this.redis.client.del(`authz:tenant:${tenantId}`);
  }

  /** One round trip per request. */
  async isBlocked(userId: string, tenantId: string | null): Promise<boolean> {
    const keys = [`authz:user:${userId}`];
    if (tenantId) keys.push(`authz:tenant:${tenantId}`);
    const values = await this.redis.client.mget(...keys);
    return values.some((v) => v !== null);
  }
}
