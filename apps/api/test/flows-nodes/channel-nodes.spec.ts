import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeResult } from '../../src/modules/flows/engine/node-handler.js';
import { startFakeSmtp } from '../fakes/email-smtp-server.js';
import { startFakeTwilioCalls, type FakeTwilioCalls } from '../fakes/twilio-calls.js';
import {
  newAccountSid,
  startFakeTwilio,
  type FakeTwilio,
  type FakeTwilioAccount,
} from '../fakes/twilio-rest.js';
import { makeTenant } from '../support/factories.js';
import { makeFlowContact, makeNode, makeRunContext } from './context.js';
import { startNodesApp, type NodesApp } from './nodes-app.js';

const failure = (r: NodeResult) => (r.kind === 'fail' ? r.error : `not a failure: ${JSON.stringify(r)}`);

const NUMBER = '+14155550100';

describe('flow nodes that send through the workspace channels', () => {
  let nodes: NodesApp;
  let smtp: Awaited<ReturnType<typeof startFakeSmtp>>;
  let twilio: FakeTwilio;
  let calls: FakeTwilioCalls;
  let tenantId: string;
  let otherTenantId: string;
  let emptyTenantId: string;
  let emailInboxId: string;
  let smsInboxId: string;
  let otherTenantSmsInboxId: string;

  const acme: FakeTwilioAccount = {
    sid: newAccountSid(),
    authToken: 'acme-auth-token-0123456789abcdef',
    friendlyName: 'Acme Support',
    numbers: [{ phoneNumber: NUMBER }],
  };
  const mailbox = { username: 'support@acme.test', password: 'smtp-pass-123' };

  beforeAll(async () => {
    smtp = await startFakeSmtp(mailbox);
    twilio = await startFakeTwilio([acme]);
    calls = await startFakeTwilioCalls(twilio, [acme]);
    nodes = await startNodesApp({ TWILIO_API_BASE_URL: calls.url, OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true' });
    tenantId = (await makeTenant(nodes.database)).id;
    otherTenantId = (await makeTenant(nodes.database)).id;
    emptyTenantId = (await makeTenant(nodes.database)).id;
    const server = (port: number) => ({ host: '127.0.0.1', port, secure: false, username: mailbox.username });
    emailInboxId = (
      await nodes.addInbox(
        tenantId,
        'email',
        {
          emailAddress: 'support@acme.test',
          fromName: 'Acme Support',
          imap: { ...server(1), mailbox: 'INBOX' },
          smtp: server(smtp.port),
        },
        { imapPassword: 'imap-pass', smtpPassword: mailbox.password },
      )
    ).id;
    smsInboxId = (
      await nodes.addInbox(
        tenantId,
        'twilio_sms',
        { accountSid: acme.sid, phoneNumber: NUMBER },
        { authToken: acme.authToken },
      )
    ).id;
    otherTenantSmsInboxId = (
      await nodes.addInbox(
        otherTenantId,
        'twilio_sms',
        { accountSid: acme.sid, phoneNumber: NUMBER },
        { authToken: acme.authToken },
      )
    ).id;
  });
  afterAll(async () => {
    await nodes?.close();
    await calls?.close();
    await twilio?.close();
    await smtp?.close();
  });

  const ctxFor = (tenant: string, overrides: Parameters<typeof makeRunContext>[0] = {}) =>
    makeRunContext({
      tenantId: tenant,
      contact: makeFlowContact({ name: 'Ada', email: 'ada@example.com', phone: '+15551230000' }),
      vars: { orderId: 'A-17' },
      ...overrides,
    });

  it('registers every node type of this module in the shared registry', () => {
    expect(nodes.registry.types()).toEqual([
      'ai_response',
      'condition',
      'google_sheets',
      'http_request',
      'loop',
      'send_email',
      'send_sms',
      'set_variable',
      'voice_call',
    ]);
  });

  describe('send_email', () => {
    it('sends the rendered email through the inbox SMTP server, logged in as the inbox', async () => {
      const r = await nodes.run(
        makeNode('send_email', {
          to: '{{contact.email}}',
          subject: 'Order {{vars.orderId}}\r\nBcc: x@evil.test',
          body: 'Hi {{contact.name}},\nit shipped.',
        }),
        ctxFor(tenantId),
      );
      expect(r).toMatchObject({ kind: 'next', output: { inboxId: emailInboxId, to: ['ada@example.com'] } });
      const [mail] = smtp.state.received;
      expect(mail).toMatchObject({
        user: mailbox.username,
        mailFrom: 'support@acme.test',
        rcptTo: ['ada@example.com'],
      });
      expect(mail!.parsed.subject).toBe('Order A-17 Bcc: x@evil.test');
      expect(mail!.parsed.from?.text).toBe('"Acme Support" <support@acme.test>');
      expect(mail!.parsed.text?.trim()).toBe('Hi Ada,\nit shipped.');
      expect(mail!.parsed.bcc).toBeUndefined();
    });

    it('sends an HTML body with the inserted values escaped', async () => {
      const before = smtp.state.received.length;
      const r = await nodes.run(
        makeNode('send_email', {
          to: 'ops@example.com',
          subject: 'New lead',
          body: '<p>Lead: <b>{{contact.name}}</b></p>',
          html: true,
        }),
        ctxFor(tenantId, { contact: makeFlowContact({ name: '<img src=x onerror=alert(1)>' }) }),
      );
      expect(r.kind).toBe('next');
      const mail = smtp.state.received[before]!;
      expect(mail.rcptTo).toEqual(['ops@example.com']);
      expect(mail.parsed.html).toContain('<p>Lead: <b>&lt;img src=x onerror=alert(1)&gt;</b></p>');
    });

    it("fails with the server's words when a recipient is refused", async () => {
      smtp.state.reject.set('gone@example.com', '5.1.1 <gone@example.com>: Recipient address rejected');
      const r = await nodes.run(
        makeNode('send_email', { inboxId: emailInboxId, to: 'gone@example.com', subject: 's', body: 'b' }),
        ctxFor(tenantId),
      );
      expect(failure(r)).toMatch(
        /^send_email node send_email_1: SMTP server 127\.0\.0\.1 refused the message: .*Recipient address rejected/,
      );
    });

    it('fails plainly without an email inbox, for another workspace inbox, and for bad addresses', async () => {
      const none = await nodes.run(
        makeNode('send_email', { to: '{{contact.email}}', subject: 's', body: 'b' }),
        ctxFor(emptyTenantId),
      );
      expect(failure(none)).toBe('send_email node send_email_1: No email inbox is connected');
      const foreign = await nodes.run(
        makeNode('send_email', { inboxId: emailInboxId, to: 'x@example.com', subject: 's', body: 'b' }),
        ctxFor(otherTenantId),
      );
      expect(failure(foreign)).toContain(`inboxId: no email inbox ${emailInboxId} in this workspace`);
      const bad = await nodes.run(
        makeNode('send_email', { to: '{{vars.orderId}}', subject: 's', body: 'b' }),
        ctxFor(tenantId),
      );
      expect(failure(bad)).toContain('to: "A-17" is not an email address');
      const noSubject = await nodes.run(
        makeNode('send_email', { to: '{{contact.email}}', body: 'b' }),
        ctxFor(tenantId),
      );
      expect(failure(noSubject)).toContain('data.subject');
    });

    it('in test mode sends nothing and shows the email', async () => {
      const before = smtp.state.received.length;
      const r = await nodes.run(
        makeNode('send_email', {
          to: '{{contact.email}}',
          subject: 'Order {{vars.orderId}}',
          body: 'Hi {{contact.name}}',
        }),
        ctxFor(tenantId, { testMode: true }),
      );
      expect(r).toEqual({
        kind: 'next',
        output: {
          testMode: true,
          wouldSend: {
            inboxId: emailInboxId,
            from: 'support@acme.test',
            to: ['ada@example.com'],
            subject: 'Order A-17',
            text: 'Hi Ada',
          },
        },
      });
      expect(smtp.state.received.length).toBe(before);
    });
  });

  describe('send_sms', () => {
    it("sends the rendered text from the inbox's number to the contact, authenticated as the account", async () => {
      const r = await nodes.run(
        makeNode('send_sms', { text: 'Order {{vars.orderId}} shipped' }),
        ctxFor(tenantId),
      );
      expect(r).toMatchObject({
        kind: 'next',
        output: { inboxId: smsInboxId, to: '+15551230000', status: 'queued' },
      });
      const [sent] = twilio.sentBy(acme.sid);
      expect(Object.fromEntries(sent!.form)).toEqual({
        To: '+15551230000',
        From: NUMBER,
        Body: 'Order A-17 shipped',
      });
    });

    it("fails with Twilio's refusal, and plainly without a Twilio inbox or number", async () => {
      const refused = await nodes.run(makeNode('send_sms', { to: '12345', text: 'x' }), ctxFor(tenantId));
      expect(failure(refused)).toBe(
        "send_sms node send_sms_1: Twilio refused it: 21211: Invalid 'To' Phone Number: 12345",
      );
      const none = await nodes.run(makeNode('send_sms', { text: 'x' }), ctxFor(emptyTenantId));
      expect(failure(none)).toBe('send_sms node send_sms_1: No Twilio SMS inbox is connected');
      const foreign = await nodes.run(
        makeNode('send_sms', { inboxId: otherTenantSmsInboxId, text: 'x' }),
        ctxFor(tenantId),
      );
      expect(failure(foreign)).toContain('no Twilio SMS inbox');
      const noPhone = await nodes.run(
        makeNode('send_sms', { text: 'x' }),
        ctxFor(tenantId, { contact: makeFlowContact({ phone: null }) }),
      );
      expect(failure(noPhone)).toContain('to: there is no phone number');
      const long = await nodes.run(makeNode('send_sms', { text: 'x'.repeat(1601) }), ctxFor(tenantId));
      expect(failure(long)).toContain('data.text');
      const grown = await nodes.run(
        makeNode('send_sms', { text: 'Note: {{vars.note}}' }),
        ctxFor(tenantId, { vars: { note: 'y'.repeat(1600) } }),
      );
      expect(failure(grown)).toContain('text: 1606 characters; an SMS through Twilio can have at most 1600');
    });

    it('skips a disabled inbox, and says so when it is named', async () => {
      const lonely = (await makeTenant(nodes.database)).id;
      const disabled = await nodes.addInbox(
        lonely,
        'twilio_sms',
        { accountSid: acme.sid, phoneNumber: NUMBER },
        { authToken: acme.authToken },
        { isActive: false },
      );
      const any = await nodes.run(makeNode('send_sms', { text: 'x' }), ctxFor(lonely));
      expect(failure(any)).toBe('send_sms node send_sms_1: No Twilio SMS inbox is connected');
      const named = await nodes.run(
        makeNode('send_sms', { inboxId: disabled.id, text: 'x' }),
        ctxFor(lonely),
      );
      expect(failure(named)).toBe(
        `send_sms node send_sms_1: inboxId: the Twilio SMS inbox ${disabled.id} is disabled`,
      );
    });

    it('in test mode sends nothing', async () => {
      const before = twilio.state.messages.length;
      const r = await nodes.run(
        makeNode('send_sms', { to: '+15550009999', text: 'Hi {{contact.name}}' }),
        ctxFor(tenantId, { testMode: true }),
      );
      expect(r).toEqual({
        kind: 'next',
        output: {
          testMode: true,
          wouldSend: { inboxId: smsInboxId, from: NUMBER, to: '+15550009999', body: 'Hi Ada' },
        },
      });
      expect(twilio.state.messages.length).toBe(before);
    });
  });

  describe('voice_call', () => {
    it('places a call that reads the rendered message, escaped as XML', async () => {
      const r = await nodes.run(
        makeNode('voice_call', {
          say: 'Hello {{contact.name}}, order {{vars.orderId}} <ready> & waiting',
          voice: 'Polly.Joanna',
          language: 'en-US',
        }),
        ctxFor(tenantId),
      );
      expect(r).toMatchObject({ kind: 'next', output: { to: '+15551230000', status: 'queued' } });
      const [call] = calls.state.calls;
      expect(call!.accountSid).toBe(acme.sid);
      expect(call!.form.get('To')).toBe('+15551230000');
      expect(call!.form.get('From')).toBe(NUMBER);
      expect(call!.form.get('Twiml')).toBe(
        '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Joanna" language="en-US">' +
          'Hello Ada, order A-17 &lt;ready&gt; &amp; waiting</Say></Response>',
      );
    });

    it("fails with Twilio's refusal and plainly without a Twilio inbox", async () => {
      const refused = await nodes.run(
        makeNode('voice_call', { to: 'not-a-number', say: 'x' }),
        ctxFor(tenantId),
      );
      expect(failure(refused)).toContain("Twilio refused it: 21211: Invalid 'To' Phone Number");
      const none = await nodes.run(makeNode('voice_call', { say: 'x' }), ctxFor(emptyTenantId));
      expect(failure(none)).toBe('voice_call node voice_call_1: No Twilio SMS inbox is connected');
      const bad = await nodes.run(makeNode('voice_call', { say: 'x', voice: '"><Dial>' }), ctxFor(tenantId));
      expect(failure(bad)).toContain('data.voice: is not a voice name');
    });

    it('in test mode calls nobody', async () => {
      const before = calls.state.calls.length;
      const r = await nodes.run(makeNode('voice_call', { say: 'Hi' }), ctxFor(tenantId, { testMode: true }));
      expect(r).toMatchObject({
        kind: 'next',
        output: { testMode: true, wouldCall: { to: '+15551230000', from: NUMBER } },
      });
      expect(calls.state.calls.length).toBe(before);
    });
  });

  it('http_request uses the process SafeHttpClient (private networks allowed here by the operator setting)', async () => {
    const r = await nodes.run(
      makeNode('http_request', {
        method: 'GET',
        url: `${twilio.url}/2010-04-01/Accounts/${acme.sid}.json`,
        statusVariable: 'status',
      }),
      ctxFor(tenantId),
    );
    // The fake Twilio answers 401 without credentials: reached, and the status lands on the error port.
    expect(r).toMatchObject({ kind: 'next', port: 'error', vars: { status: 401 } });
  });
});
