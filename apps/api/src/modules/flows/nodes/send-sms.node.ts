import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ZSendSmsNodeData } from '@orbitdesk/shared';
import { z } from 'zod';
import { FlowNodeRegistry } from '../engine/flow-node-registry.js';
import type { FlowNode, FlowRunContext, NodeHandler, NodeResult } from '../engine/node-handler.js';
import { describeTwilioFailure, FlowTwilio, recipientPhone } from './flow-twilio.js';
import { renderTemplate } from './template.js';
import { fail, parseNodeData } from './util/node-data.js';

/** Twilio refuses a longer Body (error 21617). */
const MAX_SMS_CHARS = 1600;

/** packages/shared ZSendSmsNodeData (`to` empty sends to the contact: their Twilio SMS identity, else their phone). */
export const ZSendSmsData = ZSendSmsNodeData;
export type SendSmsData = z.infer<typeof ZSendSmsData>;

/**
 * Send SMS: a text through the workspace's Twilio number (and its Messaging Service when it has one), outside
 * any conversation, e.g. an alert to a manager's phone or a code to the contact.
 */
@Injectable()
export class SendSmsNode implements NodeHandler, OnModuleInit {
  readonly type = 'send_sms';

  constructor(
    private readonly registry: FlowNodeRegistry,
    private readonly twilio: FlowTwilio,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async execute(node: FlowNode, ctx: FlowRunContext): Promise<NodeResult> {
    const parsed = parseNodeData(ZSendSmsData, node);
    if (!parsed.ok) return parsed.result;
    const to = recipientPhone(parsed.data.to ?? '', ctx);
    if (!to)
      return fail(node, 'to: there is no phone number to send to (set "to" or give the contact a phone)');
    const body = renderTemplate(parsed.data.text, ctx).trim();
    if (!body) return fail(node, 'text: renders to nothing');
    if ([...body].length > MAX_SMS_CHARS) {
      return fail(
        node,
        `text: ${[...body].length} characters; an SMS through Twilio can have at most ${MAX_SMS_CHARS}`,
      );
    }

    const found = await this.twilio.account(ctx.tenantId, parsed.data.inboxId);
    if ('error' in found) return fail(node, found.error);
    const { account, client, inboxId } = found;
    const sms = { inboxId, from: account.phoneNumber, to, body };
    if (ctx.testMode) return { kind: 'next', output: { testMode: true, wouldSend: sms } };
    try {
      const sent = await client.messages.create({
        to,
        from: account.phoneNumber,
        ...(account.messagingServiceSid ? { messagingServiceSid: account.messagingServiceSid } : {}),
        body,
      });
      return { kind: 'next', output: { ...sms, sid: sent.sid, status: sent.status } };
    } catch (err) {
      return fail(node, describeTwilioFailure(err));
    }
  }
}
