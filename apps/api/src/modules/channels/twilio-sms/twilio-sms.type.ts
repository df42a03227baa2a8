import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { TChannelTestResult } from '@orbitdesk/shared';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { ChannelTypeRegistry, type ChannelTypeContext, type ChannelTypeHandler } from '../channel-type.js';
import { twilioAccount } from './twilio-sms.account.js';
import { TwilioClientFactory } from './twilio-sms.client.js';
import { asTwilioApiError, describeApiError, TWILIO_AUTH_FAILED } from './twilio-sms.errors.js';
import { twilioWebhookUrl } from './twilio-sms.urls.js';

/**
 * `twilio_sms` inboxes: one Twilio number. Incoming messages are routed by the number they were sent to, so the
 * number is the inbox's external id (one inbox per number across the platform), and every inbox shares one
 * webhook URL, set by the admin as the number's (or Messaging Service's) "A message comes in" URL.
 */
@Injectable()
export class TwilioSmsType implements ChannelTypeHandler, OnModuleInit {
  readonly type = 'twilio_sms' as const;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: ChannelTypeRegistry,
    private readonly clients: TwilioClientFactory,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  externalId(config: Record<string, unknown>): string {
    return String(config.phoneNumber);
  }

  webhookUrl(): string {
    return twilioWebhookUrl(this.config);
  }

  /** The account answers with these credentials, and the number is one of its own. */
  async test({ row, secrets }: ChannelTypeContext): Promise<TChannelTestResult> {
    const account = twilioAccount(row.config, secrets);
    const api = this.clients.client(account).api.v2010.accounts(account.accountSid);
    try {
      const { friendlyName } = await api.fetch();
      const [number] = await api.incomingPhoneNumbers.list({ phoneNumber: account.phoneNumber, limit: 1 });
      if (!number) {
        return { ok: false, message: `The number ${account.phoneNumber} is not on this Twilio account` };
      }
      if (!number.capabilities.sms) {
        return { ok: false, message: `The number ${account.phoneNumber} cannot send or receive SMS` };
      }
      return { ok: true, message: `Connected: ${account.phoneNumber} on account ${friendlyName}` };
    } catch (err) {
      const error = asTwilioApiError(err);
      if (!error) throw err;
      if (error.status === 401 || error.code === TWILIO_AUTH_FAILED) {
        return { ok: false, message: 'Twilio rejected the Account SID / Auth Token' };
      }
      return { ok: false, message: `Twilio refused the check: ${describeApiError(error)}` };
    }
  }
}
