import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { TChannelTestResult } from '@orbitdesk/shared';
import { randomToken } from '../../../common/crypto/hash.js';
import type { ChannelSecrets } from '../channel-credentials.service.js';
import {
  ChannelTypeRegistry,
  type ChannelTypeContext,
  type ChannelTypeHandler,
  type ConnectOutcome,
} from '../channel-type.js';
import { GraphApiError, MetaGraphClient, type GraphAuth } from './meta-graph.client.js';
import { META_KINDS, type MetaKind } from './meta-kinds.js';

/** The one webhook of both types (Meta sends every Page and Instagram account of an app to the app's URL). */
export const META_WEBHOOK_PATH = '/api/v1/channels/meta/webhook';

/** Graph's code for a token that is invalid, expired or revoked. */
const INVALID_TOKEN = 190;
/** Graph's code for an invalid parameter: here, an id the token cannot see (or a wrong appsecret_proof). */
const INVALID_PARAMETER = 100;
/** Graph's code for a missing permission (a Page token without `pages_manage_metadata`). */
const PERMISSION = 200;
/** Connecting waits at most this long for Graph: the admin's create or update request is waiting. */
const SUBSCRIBE_TIMEOUT_MS = 5_000;

/** What `connect()` stored in `channels.state` about the app's subscription to the Page's events. */
interface PageSubscription {
  ok: boolean;
  fields?: string[];
  reason?: string;
}

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

  details({ row, secrets }: ChannelTypeContext): Record<string, unknown> {
    const subscription = (row.state as { pageSubscription?: PageSubscription } | null)?.pageSubscription;
    return {
      verifyToken: secrets.verifyToken ?? null,
      webhookObject: this.kind.object,
      webhookFields: this.kind.webhookFields,
      ...(this.kind.subscribesAccount
        ? {
            pageSubscribed: subscription?.ok ?? null,
            pageSubscriptionError: subscription && !subscription.ok ? (subscription.reason ?? null) : null,
          }
        : {}),
    };
  }

  /**
   * Subscribes the app to the Page's messaging events (`POST /{page-id}/subscribed_apps`), which Meta needs before
   * it sends the Page's webhooks at all. Best effort: a token without `pages_manage_metadata` (or Graph out of reach)
   * still creates the inbox, and `details.pageSubscriptionError` says what to do at Meta instead.
   */
  async connect(ctx: ChannelTypeContext): Promise<ConnectOutcome | void> {
    const account = this.kind.subscribesAccount ? this.account(ctx) : undefined;
    if (!account) return;
    const { accountId, auth } = account;
    const fields = this.kind.webhookFields;
    let pageSubscription: PageSubscription;
    try {
      await this.graph.post(
        `${encodeURIComponent(accountId)}/subscribed_apps`,
        auth,
        { subscribed_fields: fields.join(',') },
        SUBSCRIBE_TIMEOUT_MS,
      );
      pageSubscription = { ok: true, fields };
    } catch (err) {
      const why =
        err instanceof GraphApiError
          ? err.code === PERMISSION
            ? `the token may not manage the Page (it needs pages_manage_metadata): ${err.message}`
            : this.explain(err, accountId)
          : `Meta could not be reached: ${(err as Error).message}`;
      pageSubscription = {
        ok: false,
        reason: `The app is not subscribed to the Page's events; subscribe it at Meta (Messenger settings → Add subscriptions), or fix this and save the inbox again. ${why}`,
      };
    }
    return { state: { pageSubscription } };
  }

  /** Unsubscribes the app from the Page when the inbox is deleted or disabled (failures are only logged). */
  async disconnect(ctx: ChannelTypeContext): Promise<void> {
    const account = this.kind.subscribesAccount ? this.account(ctx) : undefined;
    if (!account) return;
    await this.graph.delete(
      `${encodeURIComponent(account.accountId)}/subscribed_apps`,
      account.auth,
      SUBSCRIBE_TIMEOUT_MS,
    );
  }

  /** The inbox's account id and what signs its Graph calls; undefined when either is missing. */
  private account({ row, secrets }: ChannelTypeContext): { accountId: string; auth: GraphAuth } | undefined {
    const accountId = this.kind.accountId(row.config);
    const accessToken = this.kind.accessToken(secrets);
    return accountId && accessToken
      ? { accountId, auth: { accessToken, appSecret: secrets.appSecret } }
      : undefined;
  }

  async test(ctx: ChannelTypeContext): Promise<TChannelTestResult> {
    const { kind } = this;
    const account = this.account(ctx);
    if (!account) return { ok: false, message: `The inbox has no ${kind.accountNoun} id or access token` };
    const { accountId, auth } = account;
    try {
      const node = await this.graph.get<Record<string, unknown>>(encodeURIComponent(accountId), auth, {
        fields: kind.accountField,
      });
      const value = node[kind.accountField];
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
