import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { TChannelTestResult } from '@orbitdesk/shared';
import { randomToken } from '../../../common/crypto/hash.js';
import { unprocessable } from '../../../common/http/errors.js';
import { OutboundHttpError } from '../../../common/http-client/http-client.errors.js';
import {
  ChannelTypeRegistry,
  type ChannelTypeContext,
  type ChannelTypeHandler,
  type ConnectOutcome,
} from '../channel-type.js';
import type { ChannelSecrets } from '../channel-credentials.service.js';
import { GraphApiError, WhatsAppGraphClient } from './whatsapp-graph.client.js';

/** Every WhatsApp inbox is reached at one URL; payloads are routed by their phone_number_id. */
export const WEBHOOK_PATH = '/api/v1/whatsapp/webhook';

interface PhoneNumberAnswer {
  display_phone_number?: unknown;
  verified_name?: unknown;
}

type Probe =
  { ok: true; displayPhoneNumber?: string; verifiedName?: string } | { ok: false; message: string };

/** Graph's permission errors: "Application does not have permission" (10) and the 200-299 permission family. */
const isPermissionError = (code: number | undefined) =>
  code !== undefined && (code === 10 || (code >= 200 && code <= 299));

/**
 * `whatsapp` inboxes (WhatsApp Cloud API). The admin pastes the phone number id, an access token and the app
 * secret; the platform makes the verify token Meta's webhook handshake presents, which is also how the handshake
 * finds the inbox (its hash is channels.webhook_token_hash). Payloads are routed by phone number id
 * (channels.external_id).
 */
@Injectable()
export class WhatsAppChannelType implements ChannelTypeHandler, OnModuleInit {
  readonly type = 'whatsapp' as const;
  private readonly logger = new Logger('WhatsAppChannelType');

  constructor(
    private readonly registry: ChannelTypeRegistry,
    private readonly graph: WhatsAppGraphClient,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  externalId(config: Record<string, unknown>): string | undefined {
    return typeof config.phoneNumberId === 'string' ? config.phoneNumberId : undefined;
  }

  generateSecrets(): ChannelSecrets {
    return { verifyToken: randomToken(24) };
  }

  webhookToken(secrets: ChannelSecrets): string | undefined {
    return secrets.verifyToken;
  }

  webhookUrl({ publicUrl }: ChannelTypeContext): string {
    return `${publicUrl}${WEBHOOK_PATH}`;
  }

  /** What to paste into the Meta app's webhook settings, and the number as Meta showed it at connect. */
  details({ row, secrets }: ChannelTypeContext): Record<string, unknown> {
    const { displayPhoneNumber, verifiedName } = row.state;
    return {
      verifyToken: secrets.verifyToken ?? null,
      phoneNumberId: row.config.phoneNumberId,
      ...(typeof displayPhoneNumber === 'string' ? { displayPhoneNumber } : {}),
      ...(typeof verifiedName === 'string' ? { verifiedName } : {}),
    };
  }

  async test(ctx: ChannelTypeContext): Promise<TChannelTestResult> {
    const probe = await this.probe(ctx);
    if (!probe.ok) return probe;
    const who = probe.displayPhoneNumber ?? `phone number id ${String(ctx.row.config.phoneNumberId)}`;
    return {
      ok: true,
      message: `Connected to ${who}${probe.verifiedName ? ` (${probe.verifiedName})` : ''}`,
      details: { displayPhoneNumber: probe.displayPhoneNumber, verifiedName: probe.verifiedName },
    };
  }

  /**
   * Refuses credentials Meta refuses (the create is then undone) and keeps the number's display form. When Meta
   * cannot be reached at all the inbox is kept: the admin's test call says what is wrong later.
   */
  async connect(ctx: ChannelTypeContext): Promise<ConnectOutcome | void> {
    let probe: Probe;
    try {
      probe = await this.probe(ctx);
    } catch (err) {
      if (!(err instanceof OutboundHttpError)) throw err;
      this.logger.warn(`channel ${ctx.row.id}: WhatsApp not reachable at connect: ${err.message}`);
      return;
    }
    if (!probe.ok) throw unprocessable(probe.message);
    return { state: { displayPhoneNumber: probe.displayPhoneNumber, verifiedName: probe.verifiedName } };
  }

  /** Reads the phone number with the token: the one call that needs both the id and the permission. */
  private async probe({ row, secrets }: ChannelTypeContext): Promise<Probe> {
    const id = String(row.config.phoneNumberId);
    if (!secrets.accessToken) return { ok: false, message: 'The inbox has no access token' };
    try {
      const answer = await this.graph.get<PhoneNumberAnswer>(
        secrets.accessToken,
        `/${encodeURIComponent(id)}?fields=display_phone_number,verified_name`,
      );
      const display =
        typeof answer.display_phone_number === 'string' ? answer.display_phone_number : undefined;
      return {
        ok: true,
        displayPhoneNumber: display ? (display.startsWith('+') ? display : `+${display}`) : undefined,
        verifiedName: typeof answer.verified_name === 'string' ? answer.verified_name : undefined,
      };
    } catch (err) {
      if (!(err instanceof GraphApiError)) throw err;
      return { ok: false, message: describeRefusal(err, id) };
    }
  }
}

function describeRefusal(err: GraphApiError, phoneNumberId: string): string {
  if (err.status === 401 || err.code === 190) return 'The access token was rejected (expired or revoked)';
  if (isPermissionError(err.code)) return 'The token lacks whatsapp_business_messaging';
  if (err.status === 404 || err.code === 100) {
    return `Phone number id ${phoneNumberId} not found for this token`;
  }
  return `WhatsApp refused the check: ${err.describe()}`;
}
