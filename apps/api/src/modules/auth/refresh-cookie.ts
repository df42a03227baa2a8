import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';

export const REFRESH_COOKIE = 'od_refresh';
// Sent only to the auth endpoints, so the refresh token never rides along with ordinary API calls.
const COOKIE_PATH = '/api/v1/auth';

@Injectable()
export class RefreshCookie {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  read(req: FastifyRequest): string | undefined {
    return req.cookies[REFRESH_COOKIE];
  }

  set(reply: FastifyReply, token: string, expires: Date): void {
    void reply.setCookie(REFRESH_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.NODE_ENV === 'production',
      path: COOKIE_PATH,
      expires,
    });
  }

  clear(reply: FastifyReply): void {
    void reply.clearCookie(REFRESH_COOKIE, { path: COOKIE_PATH });
  }
}
