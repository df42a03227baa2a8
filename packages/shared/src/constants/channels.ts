export const CHANNEL_TYPES = [
  'api',
  'whatsapp',
  'messenger',
  'instagram',
  'telegram',
  'twilio_sms',
  'email',
  'live_chat',
  'whatsapp_qr',
] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** Channel types whose providers only allow free-form replies within 24 h of the contact's last message. */
export const SERVICE_WINDOW_HOURS: Partial<Record<ChannelType, number>> = {
  whatsapp: 24,
  messenger: 24,
  instagram: 24,
};

export const MESSAGE_TYPES = [
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'location',
  'contacts',
  'template',
  'interactive',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const MESSAGE_STATUSES = ['received', 'queued', 'sent', 'delivered', 'read', 'failed'] as const;
export type MessageStatusValue = (typeof MESSAGE_STATUSES)[number];
export const MESSAGE_SENDER_TYPES = ['contact', 'user', 'bot', 'flow', 'campaign'] as const;
export const CONVERSATION_STATUSES = ['open', 'pending', 'snoozed', 'resolved'] as const;
export const CONVERSATION_PRIORITIES = ['none', 'low', 'medium', 'high', 'urgent'] as const;
