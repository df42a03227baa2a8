import { z } from 'zod';

/**
 * What an admin enters to connect each channel type: `config` (plain settings, shown back as stored) and
 * `credentials` (secrets: encrypted at rest, shown back masked to their last 4 characters). Values the platform
 * generates itself (verify tokens, webhook secrets, the widget's public token) are not part of the request.
 */

const ZHttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);
const ZSecret = (what: string, min = 8) =>
  z
    .string()
    .trim()
    .min(min, `${what} is too short`)
    .max(4096)
    .refine((v) => !/\s/.test(v), `${what} must not contain spaces`);
const ZDigits = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{5,32}$/, `${what} must be the numeric id shown by Meta`);
const ZE164 = z
  .string()
  .trim()
  .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +14155550100');
const ZHost = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.-]+$/, 'must be a host name');
const ZPort = z.number().int().min(1).max(65535);

/** `api`: a custom channel; OrbitDesk POSTs the messages agents send to callbackUrl. */
export const ZApiChannelConfig = z.strictObject({ callbackUrl: ZHttpUrl });
export type TApiChannelConfig = z.infer<typeof ZApiChannelConfig>;
export const ZApiChannelCredentials = z.strictObject({});

/** WhatsApp Cloud API: the phone number's id and the WhatsApp Business Account that owns it. */
export const ZWhatsAppChannelConfig = z.strictObject({
  phoneNumberId: ZDigits('phoneNumberId'),
  businessAccountId: ZDigits('businessAccountId').optional(),
});
export const ZWhatsAppChannelCredentials = z.strictObject({
  /** A system user's permanent access token with whatsapp_business_messaging. */
  accessToken: ZSecret('accessToken', 20),
  /** The Meta app's secret: X-Hub-Signature-256 of every webhook is checked with it. */
  appSecret: ZSecret('appSecret', 16),
});

/** Messenger: a Facebook Page. */
export const ZMessengerChannelConfig = z.strictObject({ pageId: ZDigits('pageId') });
export const ZMessengerChannelCredentials = z.strictObject({
  pageAccessToken: ZSecret('pageAccessToken', 20),
  appSecret: ZSecret('appSecret', 16),
});

/** Instagram DM: a professional Instagram account (linked to a Page). */
export const ZInstagramChannelConfig = z.strictObject({
  instagramAccountId: ZDigits('instagramAccountId'),
  pageId: ZDigits('pageId').optional(),
});
export const ZInstagramChannelCredentials = z.strictObject({
  accessToken: ZSecret('accessToken', 20),
  appSecret: ZSecret('appSecret', 16),
});

/** Telegram: a bot from @BotFather. */
export const ZTelegramChannelConfig = z.strictObject({});
export const ZTelegramChannelCredentials = z.strictObject({
  botToken: z
    .string()
    .trim()
    .regex(/^\d{3,20}:[A-Za-z0-9_-]{30,64}$/, 'must be the token @BotFather gave, such as 123456:ABC-DEF…'),
});

/** Twilio SMS: one Twilio phone number (optionally sent through a Messaging Service). */
export const ZTwilioSmsChannelConfig = z.strictObject({
  accountSid: z
    .string()
    .trim()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'must be the Account SID (AC followed by 32 hex characters)'),
  phoneNumber: ZE164,
  messagingServiceSid: z
    .string()
    .trim()
    .regex(/^MG[0-9a-fA-F]{32}$/, 'must be a Messaging Service SID (MG followed by 32 hex characters)')
    .optional(),
});
export const ZTwilioSmsChannelCredentials = z.strictObject({ authToken: ZSecret('authToken', 16) });

const ZMailServer = z.strictObject({
  host: ZHost,
  port: ZPort,
  /** TLS from the first byte (IMAPS 993, SMTPS 465); false uses STARTTLS when the server offers it. */
  secure: z.boolean(),
  username: z.string().trim().min(1).max(320),
});

/** Email: one mailbox, read over IMAP and sent over SMTP. */
export const ZEmailChannelConfig = z.strictObject({
  emailAddress: z.email().max(320),
  /** The name replies are sent under (`Acme Support <support@acme.test>`). */
  fromName: z.string().trim().min(1).max(100).optional(),
  imap: ZMailServer.extend({ mailbox: z.string().trim().min(1).max(200).default('INBOX') }),
  smtp: ZMailServer,
  /** Seconds between polls; the platform default (EMAIL_POLL_INTERVAL_SECONDS) when absent. */
  pollIntervalSeconds: z.number().int().min(10).max(3600).optional(),
});
export const ZEmailChannelCredentials = z.strictObject({
  imapPassword: z.string().min(1).max(1024),
  smtpPassword: z.string().min(1).max(1024),
});

/** The website live-chat widget. */
export const ZLiveChatChannelConfig = z.strictObject({
  websiteUrl: ZHttpUrl,
  /** Origins allowed to embed the widget (`https://shop.example`); empty allows any. */
  allowedOrigins: z
    .array(
      z
        .url({ protocol: /^https?$/ })
        .max(2048)
        .transform((u) => u.replace(/^(https?:\/\/[^/?#]+).*$/i, '$1').toLowerCase()),
    )
    .max(50)
    .default([]),
  title: z.string().trim().min(1).max(100).default('Chat with us'),
  welcomeMessage: z.string().trim().max(500).optional(),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb color')
    .default('#2563eb'),
  /** Ask for name and email before the first message. */
  preChatForm: z.boolean().default(true),
  /** Require the host site to sign signed-in users' identifiers (HMAC-SHA256 with the inbox's identity secret). */
  identityVerification: z.boolean().default(false),
});
export const ZLiveChatChannelCredentials = z.strictObject({});

/** WhatsApp through a linked device (QR code); nothing to enter, the QR code is scanned after creation. */
export const ZWhatsAppQrChannelConfig = z.strictObject({});
export const ZWhatsAppQrChannelCredentials = z.strictObject({});

/** Per type: the config and credentials schemas the server validates create and update requests with. */
export const CHANNEL_TYPE_SCHEMAS = {
  api: { config: ZApiChannelConfig, credentials: ZApiChannelCredentials },
  whatsapp: { config: ZWhatsAppChannelConfig, credentials: ZWhatsAppChannelCredentials },
  messenger: { config: ZMessengerChannelConfig, credentials: ZMessengerChannelCredentials },
  instagram: { config: ZInstagramChannelConfig, credentials: ZInstagramChannelCredentials },
  telegram: { config: ZTelegramChannelConfig, credentials: ZTelegramChannelCredentials },
  twilio_sms: { config: ZTwilioSmsChannelConfig, credentials: ZTwilioSmsChannelCredentials },
  email: { config: ZEmailChannelConfig, credentials: ZEmailChannelCredentials },
  live_chat: { config: ZLiveChatChannelConfig, credentials: ZLiveChatChannelCredentials },
  whatsapp_qr: { config: ZWhatsAppQrChannelConfig, credentials: ZWhatsAppQrChannelCredentials },
} as const;
