import { ZTwilioSmsChannelConfig, type TTwilioSmsChannelConfig } from '@orbitdesk/shared';
import type { ChannelSecrets } from '../channel-credentials.service.js';

/** One inbox's Twilio account: its config (validated when it was saved) and the Auth Token it was given. */
export interface TwilioAccount extends TTwilioSmsChannelConfig {
  authToken: string;
}

export function twilioAccount(config: Record<string, unknown>, secrets: ChannelSecrets): TwilioAccount {
  return { ...ZTwilioSmsChannelConfig.parse(config), authToken: secrets.authToken ?? '' };
}
