import type { ChannelSecrets } from '../channel-credentials.service.js';

export type MetaChannelType = 'messenger' | 'instagram';

/**
 * What differs between the two channel types that share Meta's Messenger Platform: which webhook `object` they
 * arrive under, which id routes them, which credential sends, and how a person's profile and the account are read.
 * Everything else (signature, event shapes, Send API) is the same platform.
 */
export interface MetaKind {
  type: MetaChannelType;
  label: string;
  /** `body.object` of this type's webhooks; `entry[].id` is then the account id below. */
  object: 'page' | 'instagram';
  /** The id webhooks are routed by: the Page id, or the Instagram professional account id. */
  accountId(config: Record<string, unknown>): string | undefined;
  accessToken(secrets: ChannelSecrets): string | undefined;
  /** What the contact's id is called, for failure reasons an admin can act on. */
  contactIdName: string;
  /** Graph fields of a person (PSID / IGSID) that hold a display name. */
  profileFields: string;
  profileName(profile: Record<string, unknown>): string | undefined;
  /** The account's own display field, read by test(). */
  accountField: 'name' | 'username';
  connectedAs(value: string): string;
  accountNoun: string;
  /** Webhook fields the admin subscribes to in the Meta App Dashboard. */
  webhookFields: string[];
  /**
   * Whether connecting the inbox subscribes the app to the account's events itself
   * (`POST /{page-id}/subscribed_apps` with the Page token). Instagram's subscription belongs to the Page linked to
   * the account, whose token the inbox does not hold: the admin subscribes it at Meta.
   */
  subscribesAccount: boolean;
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

export const META_KINDS: Record<MetaChannelType, MetaKind> = {
  messenger: {
    type: 'messenger',
    label: 'Messenger',
    object: 'page',
    accountId: (config) => str(config.pageId),
    accessToken: (secrets) => secrets.pageAccessToken,
    contactIdName: 'Page-scoped id (PSID)',
    profileFields: 'first_name,last_name,name',
    profileName: (p) =>
      str(p.name) ?? ([str(p.first_name), str(p.last_name)].filter(Boolean).join(' ') || undefined),
    accountField: 'name',
    connectedAs: (name) => `Connected to page ${name}`,
    accountNoun: 'Page',
    webhookFields: [
      'messages',
      'messaging_postbacks',
      'message_echoes',
      'message_deliveries',
      'message_reads',
    ],
    subscribesAccount: true,
  },
  instagram: {
    type: 'instagram',
    label: 'Instagram',
    object: 'instagram',
    accountId: (config) => str(config.instagramAccountId),
    accessToken: (secrets) => secrets.accessToken,
    contactIdName: 'Instagram-scoped id (IGSID)',
    profileFields: 'name,username',
    profileName: (p) => str(p.name) ?? str(p.username),
    accountField: 'username',
    connectedAs: (username) => `Connected to Instagram account @${username}`,
    accountNoun: 'Instagram account',
    webhookFields: ['messages', 'messaging_postbacks', 'messaging_seen'],
    subscribesAccount: false,
  },
};

export const isMetaChannelType = (type: string): type is MetaChannelType => Object.hasOwn(META_KINDS, type);

export const kindForObject = (object: string): MetaKind | undefined =>
  Object.values(META_KINDS).find((k) => k.object === object);
