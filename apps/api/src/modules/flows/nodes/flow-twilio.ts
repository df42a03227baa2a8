import { Injectable } from '@nestjs/common';
import type twilio from 'twilio';
import { twilioAccount, type TwilioAccount } from '../../channels/twilio-sms/twilio-sms.account.js';
import { TwilioClientFactory } from '../../channels/twilio-sms/twilio-sms.client.js';
import { asTwilioApiError, describeApiError } from '../../channels/twilio-sms/twilio-sms.errors.js';
import type { FlowRunContext } from '../engine/node-handler.js';
import { describeInboxLookup, FlowInboxes } from './flow-inboxes.js';
import { renderTemplate } from './template.js';

export interface FlowTwilioAccount {
  inboxId: string;
  account: TwilioAccount;
  client: twilio.Twilio;
}

/** The workspace's Twilio account, as its twilio_sms inbox holds it; shared by Send SMS and Voice Call. */
@Injectable()
export class FlowTwilio {
  constructor(
    private readonly inboxes: FlowInboxes,
    private readonly clients: TwilioClientFactory,
  ) {}

  async account(
    tenantId: string,
    inboxId: string | undefined,
  ): Promise<FlowTwilioAccount | { error: string }> {
    const found = await this.inboxes.find(tenantId, 'twilio_sms', inboxId);
    if (!found.ok) {
      return { error: describeInboxLookup(found.reason, 'Twilio SMS', inboxId) };
    }
    let account: TwilioAccount;
    try {
      account = twilioAccount(found.inbox.row.config, found.inbox.secrets);
    } catch {
      return { error: "the Twilio SMS inbox's settings are invalid; open it in Channels and save it again" };
    }
    return { inboxId: found.inbox.row.id, account, client: this.clients.client(account) };
  }
}

/** The number to reach: the rendered `to`, else the contact's Twilio identity, else the contact's phone. */
export function recipientPhone(to: string, ctx: FlowRunContext): string | undefined {
  const rendered = renderTemplate(to, ctx).trim();
  if (rendered) return rendered;
  const contact = ctx.contact;
  return (
    contact?.identities.find((i) => i.channelType === 'twilio_sms')?.identifier ?? contact?.phone ?? undefined
  );
}

/** Twilio's refusal in its own words (`21211: Invalid 'To' Phone Number`), or why it could not be reached. */
export function describeTwilioFailure(err: unknown): string {
  const api = asTwilioApiError(err);
  return api
    ? `Twilio refused it: ${describeApiError(api)}`
    : `Twilio unreachable: ${(err as Error).message}`;
}
