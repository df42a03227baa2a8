import { randomToken } from '../../../common/crypto/hash.js';
import type { ChannelSecrets } from '../channel-credentials.service.js';

/**
 * The secrets of a Telegram inbox besides the bot token, made when it is created and kept for its life:
 * - `webhookPathToken`, the last path segment of the webhook URL, which finds the inbox (by its SHA-256);
 * - `webhookSecret`, from which the X-Telegram-Bot-Api-Secret-Token value is made (`webhookHeaderSecret`).
 * Both are base64url, inside the characters Telegram allows in a secret_token (A-Z a-z 0-9 _ -).
 */
export function generateTelegramSecrets(): ChannelSecrets {
  return { webhookPathToken: randomToken(24), webhookSecret: randomToken(32) };
}

/** The bot's numeric id: the digits before the ':' of its token. */
export function botIdOf(botToken: string | undefined): string | undefined {
  return botToken?.match(/^(\d+):/)?.[1];
}

/**
 * The secret_token registered with setWebhook: the inbox's secret bound to the bot's id. When an admin replaces
 * the bot token with another bot's, the old bot (whose webhook cannot be removed without its token) keeps
 * presenting the value for its own id, which then no longer matches, so its users cannot write into the inbox.
 * 20 digits + 1 + 43 characters, well inside Telegram's 256.
 */
export function webhookHeaderSecret(secrets: ChannelSecrets): string | undefined {
  const botId = botIdOf(secrets.botToken);
  return botId && secrets.webhookSecret ? `${botId}_${secrets.webhookSecret}` : undefined;
}
