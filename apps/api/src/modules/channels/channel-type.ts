import { Injectable } from '@nestjs/common';
import type { ChannelType, TChannelTestResult } from '@orbitdesk/shared';
import { createHash } from 'node:crypto';
import type { ChannelSecrets } from './channel-credentials.service.js';
import type { ChannelRow } from './channels.repository.js';

/** What a handler is given about one inbox: its row, its decrypted secrets, and the platform's public URL. */
export interface ChannelTypeContext {
  row: ChannelRow;
  secrets: ChannelSecrets;
  /** PUBLIC_URL without a trailing slash: where providers reach this API. */
  publicUrl: string;
}

/** What connect() may change on the inbox once the provider answered (bot username, display number, state). */
export interface ConnectOutcome {
  config?: Record<string, unknown>;
  state?: Record<string, unknown>;
}

/**
 * The administrative half of one channel type: everything ChannelsService needs to create, show, test, connect
 * and delete an inbox of that type. Registered by the type's module (`ChannelTypeRegistry.register` in
 * onModuleInit), next to its IMessageChannel adapter. The config and credentials are already validated against
 * the type's schemas in `@orbitdesk/shared` (CHANNEL_TYPE_SCHEMAS) when a handler sees them.
 */
export interface ChannelTypeHandler {
  readonly type: ChannelType;
  /**
   * The provider's id of the account (channels.external_id), unique per type across all workspaces: what the
   * provider's webhooks are routed by. Undefined when the type routes otherwise.
   */
  externalId?(config: Record<string, unknown>, secrets: ChannelSecrets): string | undefined;
  /** Secrets the platform makes for the inbox when it is created (verify token, webhook secret); kept on update. */
  generateSecrets?(): ChannelSecrets;
  /**
   * The token a provider presents to find this inbox (Meta's hub.verify_token, Telegram's path segment); its
   * SHA-256 goes into channels.webhook_token_hash. See `hashWebhookToken`.
   */
  webhookToken?(secrets: ChannelSecrets): string | undefined;
  /** The exact URL to register with the provider; null when the provider needs none. */
  webhookUrl(ctx: ChannelTypeContext): string | null;
  /** Non-secret facts the admin needs to finish the setup (shown as `details` in every response). */
  details?(ctx: ChannelTypeContext): Record<string, unknown>;
  /** Asks the provider whether the stored credentials work; says plainly what is wrong when they do not. */
  test(ctx: ChannelTypeContext): Promise<TChannelTestResult>;
  /**
   * After create and after a change of config or credentials: register the webhook with the provider
   * (Telegram's setWebhook), start a link. Throw AppError (422) with the provider's reason when it refuses;
   * a create is then undone.
   */
  connect?(ctx: ChannelTypeContext): Promise<ConnectOutcome | void>;
  /** Before the inbox is deleted or disabled: unregister at the provider. Failures are logged, never fatal. */
  disconnect?(ctx: ChannelTypeContext): Promise<void>;
}

/** Hex SHA-256 of a webhook token, as stored in channels.webhook_token_hash. */
export const hashWebhookToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Channel type → its administrative handler. */
@Injectable()
export class ChannelTypeRegistry {
  private readonly handlers = new Map<string, ChannelTypeHandler>();

  register(handler: ChannelTypeHandler): void {
    if (this.handlers.has(handler.type))
      throw new Error(`two handlers registered for channel type ${handler.type}`);
    this.handlers.set(handler.type, handler);
  }

  get(type: string): ChannelTypeHandler | undefined {
    return this.handlers.get(type);
  }
}
