import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { TChannelTestResult } from '@orbitdesk/shared';
import { randomToken } from '../../../common/crypto/hash.js';
import type { ChannelSecrets } from '../channel-credentials.service.js';
import { ChannelTypeRegistry, type ChannelTypeContext, type ChannelTypeHandler } from '../channel-type.js';
import { GraphApiError, MetaGraphClient } from './meta-graph.client.js';
import { META_KINDS, type MetaKind } from './meta-kinds.js';

/** The one webhook of both types (Meta sends every Page and Instagram account of an app to the app's URL). */
export const META_WEBHOOK_PATH = '/api/v1/channels/meta/webhook';

/** Graph's code for a token that is invalid, expired or revoked. */
const INVALID_TOKEN = 190;
/** Graph's code for an invalid parameter: here, an id the token cannot see (or a wrong appsecret_proof). */
const INVALID_PARAMETER = 100;

/** Registers the administrative handlers of `messenger` and `instagram`. */
@Injectable()
export class MetaChannelTypes implements OnModuleInit {
  constructor(
    private readonly registry: ChannelTypeRegistry,
    private readonly graph: MetaGraphClient,
  ) {}

  onModuleInit(): void {
    for (const kind of Object.values(META_KINDS))
      this.registry.register(new MetaChannelType(kind, this.graph));
  }
}

/**
 * One Meta channel type. The verify token is made here, per inbox: Meta presents it in the webhook handshake,
 * which finds the inbox by its hash. Posts are routed by the account id (`externalId`) and verified with the
 * inbox's app secret.
 */
class MetaChannelType implements ChannelTypeHandler {
  readonly type: MetaKind['type'];

  constructor(
    private readonly kind: MetaKind,
    private readonly graph: MetaGraphClient,
  ) {
    this.type = kind.type;
  }

  externalId(config: Record<string, unknown>): string | undefined {
    return this.kind.accountId(config);
  }

  generateSecrets(): ChannelSecrets {
    return { verifyToken: randomToken(24) };
  }

  webhookToken(secrets: ChannelSecrets): string | undefined {
    return secrets.verifyToken;
  }

  webhookUrl({ publicUrl }: ChannelTypeContext): string {
    return `${publicUrl}${META_WEBHOOK_PATH}`;
  }

  details({ secrets }: ChannelTypeContext): Record<string, unknown> {
    return {
      verifyToken: secrets.verifyToken ?? null,
      webhookObject: this.kind.object,
      webhookFields: this.kind.webhookFields,
    };
  }

  async test({ row, secrets }: ChannelTypeContext): Promise<TChannelTestResult> {
    const { kind } = this;
    const accountId = kind.accountId(row.config);
    const accessToken = kind.accessToken(secrets);
    if (!accountId || !accessToken) {
      return { ok: false, message: `The inbox has no ${kind.accountNoun} id or access token` };
    }
    try {
      const account = await this.graph.get<Record<string, unknown>>(
        encodeURIComponent(accountId),
        { accessToken, appSecret: secrets.appSecret },
        { fields: kind.accountField },
      );
      const value = account[kind.accountField];
      return {
        ok: true,
        message: kind.connectedAs(typeof value === 'string' && value ? value : accountId),
        details: { id: accountId },
      };
    } catch (err) {
      if (!(err instanceof GraphApiError)) throw err;
      return { ok: false, message: this.explain(err, accountId), details: { code: err.code ?? null } };
    }
  }

  private explain(err: GraphApiError, accountId: string): string {
    const { kind } = this;
    if (err.code === INVALID_TOKEN) {
      return `The access token was rejected (expired, revoked or mistyped): ${err.message}`;
    }
    if (err.code === INVALID_PARAMETER && /appsecret_proof/i.test(err.message)) {
      return `The app secret does not belong to the app that issued the token: ${err.message}`;
    }
    if (err.code === INVALID_PARAMETER) {
      return `${kind.accountNoun} ${accountId} was not found, or the token has no access to it: ${err.message}`;
    }
    return `${kind.label} refused the check: ${err.message}`;
  }
}
