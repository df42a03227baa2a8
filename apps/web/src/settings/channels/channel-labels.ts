import type { ChannelType } from '@orbitdesk/shared';

/** How each channel type is named to people. */
export const CHANNEL_LABELS: Record<ChannelType, string> = {
  api: 'API (custom)',
  whatsapp: 'WhatsApp Cloud API',
  messenger: 'Facebook Messenger',
  instagram: 'Instagram',
  telegram: 'Telegram',
  twilio_sms: 'SMS (Twilio)',
  email: 'Email (IMAP/SMTP)',
  live_chat: 'Website live chat',
  whatsapp_qr: 'WhatsApp (QR link)',
};
