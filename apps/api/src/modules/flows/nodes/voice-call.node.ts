import { Injectable, type OnModuleInit } from '@nestjs/common';
import twilio from 'twilio';
import type VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import { ZVoiceCallNodeData } from '@orbitdesk/shared';
import { z } from 'zod';
import { FlowNodeRegistry } from '../engine/flow-node-registry.js';
import type { FlowNode, FlowRunContext, NodeHandler, NodeResult } from '../engine/node-handler.js';
import { describeTwilioFailure, FlowTwilio, recipientPhone } from './flow-twilio.js';
import { renderTemplate } from './template.js';
import { fail, parseNodeData } from './util/node-data.js';

/** Twilio's limit for the Twiml parameter is 4000 characters; the <Say> text gets most of it. */
const MAX_MESSAGE_CHARS = 3_500;

/** packages/shared ZVoiceCallNodeData (`to` empty calls the contact; `say` is read out with <Say>). */
export const ZVoiceCallData = ZVoiceCallNodeData;
export type VoiceCallData = z.infer<typeof ZVoiceCallData>;

/** The TwiML Twilio runs when the call is answered; the SDK's builder escapes the text as XML. */
function sayTwiml(text: string, data: VoiceCallData): string {
  const response = new twilio.twiml.VoiceResponse();
  const attributes: VoiceResponse.SayAttributes = {};
  // Twilio accepts voices and languages beyond the SDK's list; it answers with a plain error for unknown ones.
  if (data.voice) attributes.voice = data.voice as NonNullable<VoiceResponse.SayAttributes['voice']>;
  if (data.language)
    attributes.language = data.language as NonNullable<VoiceResponse.SayAttributes['language']>;
  response.say(attributes, text);
  return response.toString();
}

/** Voice Call: Twilio calls the number and reads the message (Calls API with inline TwiML). */
@Injectable()
export class VoiceCallNode implements NodeHandler, OnModuleInit {
  readonly type = 'voice_call';

  constructor(
    private readonly registry: FlowNodeRegistry,
    private readonly twilio: FlowTwilio,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async execute(node: FlowNode, ctx: FlowRunContext): Promise<NodeResult> {
    const parsed = parseNodeData(ZVoiceCallData, node);
    if (!parsed.ok) return parsed.result;
    const to = recipientPhone(parsed.data.to ?? '', ctx);
    if (!to) return fail(node, 'to: there is no phone number to call (set "to" or give the contact a phone)');
    const text = renderTemplate(parsed.data.say, ctx).trim();
    if (!text) return fail(node, 'say: renders to nothing');
    if (text.length > MAX_MESSAGE_CHARS) {
      return fail(node, `say: ${text.length} characters; a call can read at most ${MAX_MESSAGE_CHARS}`);
    }

    const found = await this.twilio.account(ctx.tenantId, parsed.data.inboxId);
    if ('error' in found) return fail(node, found.error);
    const { account, client, inboxId } = found;
    const twiml = sayTwiml(text, parsed.data);
    const call = { inboxId, from: account.phoneNumber, to, twiml };
    if (ctx.testMode) return { kind: 'next', output: { testMode: true, wouldCall: call } };
    try {
      const placed = await client.calls.create({ to, from: account.phoneNumber, twiml });
      return { kind: 'next', output: { ...call, sid: placed.sid, status: placed.status } };
    } catch (err) {
      return fail(node, describeTwilioFailure(err));
    }
  }
}
