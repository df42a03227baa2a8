import { afterAll, describe, expect, it } from 'vitest';
import { SafeHttpClient } from '../../../common/http-client/safe-http-client.js';
import type { AppConfig } from '../../../config/app-config.js';
import { TelegramBotApi, TelegramUnreachableError, ZTelegramBotUser } from './telegram-bot-api.js';

describe('TelegramBotApi', () => {
  const http = new SafeHttpClient({ allowPrivateNetworks: false });
  afterAll(() => http.close());

  it('never puts the bot token into an error message (the URL carries it)', async () => {
    const token = '123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
    const api = new TelegramBotApi({ TELEGRAM_API_BASE_URL: 'http://127.0.0.1:9/' } as AppConfig, http);
    // The strict policy refuses loopback, and its error names the URL it refused.
    const err = await api.call(token, 'getMe', {}, ZTelegramBotUser).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TelegramUnreachableError);
    expect((err as Error).message).toMatch(
      /^getMe: Blocked outbound request to http:\/\/127\.0\.0\.1:9\/bot<bot token>\/getMe/,
    );
    expect((err as Error).message).not.toContain('AAHdqTcv');
  });
});
