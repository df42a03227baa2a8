import { Injectable, Logger } from '@nestjs/common';
import { TtlCache } from '../../../common/cache/ttl-cache.js';
import type { ChannelSecrets } from '../channel-credentials.service.js';
import { MetaGraphClient } from './meta-graph.client.js';
import type { MetaKind } from './meta-kinds.js';

/** A name changes rarely; a person who writes often costs one Graph call an hour per process. */
const TTL_MS = 60 * 60_000;
const TIMEOUT_MS = 3_000;

/**
 * The display name of a PSID or IGSID, for contacts that would otherwise be a bare number. Best effort: Meta
 * refuses profiles without the right permission or when the person restricts them; that is cached as "no name"
 * and the message is stored anyway.
 */
@Injectable()
export class MetaProfiles {
  private readonly logger = new Logger('MetaProfiles');
  private readonly names = new TtlCache<string, string | null>(TTL_MS);

  constructor(private readonly graph: MetaGraphClient) {}

  async nameOf(
    kind: MetaKind,
    channelId: string,
    secrets: ChannelSecrets,
    personId: string,
  ): Promise<string | undefined> {
    const accessToken = kind.accessToken(secrets);
    if (!accessToken) return undefined;
    const name = await this.names.getOrLoad(`${channelId}:${personId}`, async () => {
      try {
        const profile = await this.graph.get<Record<string, unknown>>(
          encodeURIComponent(personId),
          { accessToken, appSecret: secrets.appSecret },
          { fields: kind.profileFields },
          TIMEOUT_MS,
        );
        return kind.profileName(profile)?.slice(0, 256) ?? null;
      } catch (err) {
        this.logger.debug(`no ${kind.label} profile for ${personId}: ${(err as Error).message}`);
        return null;
      }
    });
    return name ?? undefined;
  }
}
