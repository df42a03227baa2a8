import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { NodemailerError } from 'nodemailer';
import { ZSendEmailNodeData } from '@orbitdesk/shared';
import { z } from 'zod';
import { defaultAddressPolicy, type AddressPolicy } from '../../../common/http-client/ip-policy.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { emailInboxOf, type EmailInbox } from '../../channels/email/email-config.js';
import { describeSmtpError, SmtpError, smtpTransport } from '../../channels/email/smtp-transport.js';
import { FlowNodeRegistry } from '../engine/flow-node-registry.js';
import type { FlowNode, FlowRunContext, NodeHandler, NodeResult } from '../engine/node-handler.js';
import { describeInboxLookup, FlowInboxes } from './flow-inboxes.js';
import { renderTemplate } from './template.js';
import { fail, parseNodeData } from './util/node-data.js';

const MAX_RECIPIENTS = 10;
const ZAddress = z.email();

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
/** Values put into an HTML body are text: a contact's name cannot add markup or links to the email. */
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** packages/shared ZSendEmailNodeData: the graph validator and this handler read one schema. */
export const ZSendEmailData = ZSendEmailNodeData;
export type SendEmailData = z.infer<typeof ZSendEmailData>;

function recipients(rendered: string): string[] | { error: string } {
  const list = rendered
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (!list.length) return { error: 'to: there is no address to send to' };
  if (list.length > MAX_RECIPIENTS) return { error: `to: at most ${MAX_RECIPIENTS} addresses` };
  const bad = list.find((a) => !ZAddress.safeParse(a).success);
  return bad ? { error: `to: ${JSON.stringify(bad)} is not an email address` } : list;
}

/**
 * Send Email: a new email (not a reply in a conversation) from the workspace's email inbox, over its SMTP
 * server, built with the same transport as the email channel (SMTP host checked against the outbound address
 * policy, no file or URL access).
 */
@Injectable()
export class SendEmailNode implements NodeHandler, OnModuleInit {
  readonly type = 'send_email';
  private readonly policy: AddressPolicy;

  constructor(
    private readonly registry: FlowNodeRegistry,
    private readonly inboxes: FlowInboxes,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.policy = defaultAddressPolicy(config.OUTBOUND_ALLOW_PRIVATE_NETWORKS);
  }

  onModuleInit(): void {
    this.registry.register(this);
  }

  async execute(node: FlowNode, ctx: FlowRunContext): Promise<NodeResult> {
    const parsed = parseNodeData(ZSendEmailData, node);
    if (!parsed.ok) return parsed.result;
    const data = parsed.data;
    const to = recipients(renderTemplate(data.to, ctx));
    if ('error' in to) return fail(node, to.error);
    // Line breaks in a subject would start new header lines.
    const subject = renderTemplate(data.subject, ctx)
      .replace(/[\r\n]+/g, ' ')
      .trim();
    if (!subject) return fail(node, 'subject: renders to nothing');
    const content = data.html
      ? { html: renderTemplate(data.body, ctx, escapeHtml) }
      : { text: renderTemplate(data.body, ctx) };

    const found = await this.inboxes.find(ctx.tenantId, 'email', data.inboxId);
    if (!found.ok) return fail(node, describeInboxLookup(found.reason, 'email', data.inboxId));
    let inbox: EmailInbox;
    try {
      inbox = emailInboxOf(found.inbox.row, found.inbox.secrets);
    } catch (err) {
      return fail(node, (err as Error).message);
    }
    const { emailAddress, fromName } = inbox.config;
    const from = fromName ? { name: fromName, address: emailAddress } : emailAddress;
    const email = { inboxId: found.inbox.row.id, from: emailAddress, to, subject };
    if (ctx.testMode)
      return { kind: 'next', output: { testMode: true, wouldSend: { ...email, ...content } } };

    try {
      const transport = await smtpTransport(inbox, this.policy);
      try {
        const info = (await transport.sendMail({ from, to, subject, ...content })) as { messageId?: string };
        return { kind: 'next', output: { ...email, messageId: info.messageId } };
      } finally {
        transport.close();
      }
    } catch (err) {
      const failure = err instanceof SmtpError ? err : describeSmtpError(inbox, err as NodemailerError);
      return fail(node, failure.message);
    }
  }
}
