import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ZAcceptInviteRequest,
  ZLoginRequest,
  ZMeResponse,
  ZOkResponse,
  ZRegisterRequest,
  ZRegisterResponse,
  ZTokenResponse,
  type TAcceptInviteRequest,
  type TLoginRequest,
  type TRegisterRequest,
} from '@orbitdesk/shared';
import { CurrentPrincipal, Public, Roles } from '../../common/auth/access.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { Contract } from '../../common/http/contract.js';
import { AuthService } from './auth.service.js';
import { RefreshCookie } from './refresh-cookie.js';

@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly cookie: RefreshCookie,
  ) {}

  @Post('register')
  @Public()
  @Contract({
    summary: 'Register a workspace (tenant) and its first admin; it waits for platform approval',
    tags: ['Auth'],
    body: ZRegisterRequest,
    response: ZRegisterResponse,
    status: 201,
    errors: { 409: 'The email is already registered' },
  })
  register(@Body() body: TRegisterRequest) {
    return this.auth.register(body);
  }

  @Post('login')
  @Public()
  @Contract({
    summary: 'Log in; the refresh token is set as an httpOnly cookie',
    tags: ['Auth'],
    body: ZLoginRequest,
    response: ZTokenResponse,
    status: 200,
    errors: {
      401: 'Wrong email or password',
      403: 'Workspace not active or account deactivated',
      429: 'Too many failed attempts',
    },
  })
  async login(@Body() body: TLoginRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const session = await this.auth.login(body.email, body.password);
    this.cookie.set(reply, session.refreshToken, session.refreshExpiresAt);
    return session.response;
  }

  @Post('refresh')
  @Public()
  @Contract({
    summary: 'Rotate the refresh cookie and get a new access token',
    tags: ['Auth'],
    response: ZTokenResponse,
    status: 200,
  })
  async refresh(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    try {
      const session = await this.auth.refresh(this.cookie.read(req));
      this.cookie.set(reply, session.refreshToken, session.refreshExpiresAt);
      return session.response;
    } catch (err) {
      this.cookie.clear(reply);
      throw err;
    }
  }

  @Post('logout')
  @Public()
  @Contract({
    summary: 'End this login (revokes its refresh token family) and clear the cookie',
    tags: ['Auth'],
    response: ZOkResponse,
    status: 200,
  })
  async logout(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.auth.logout(this.cookie.read(req));
    this.cookie.clear(reply);
    return { ok: true as const };
  }

  @Post('accept-invite')
  @Public()
  @Contract({
    summary: 'Set a password from an invitation link',
    tags: ['Auth'],
    body: ZAcceptInviteRequest,
    response: ZOkResponse,
    status: 200,
  })
  async acceptInvite(@Body() body: TAcceptInviteRequest) {
    await this.auth.acceptInvite(body.token, body.password);
    return { ok: true as const };
  }

  @Get('me')
  @Roles('AGENT', 'SUPERADMIN')
  @Contract({ summary: 'The signed-in user and their workspace', tags: ['Auth'], response: ZMeResponse })
  me(@CurrentPrincipal() principal: Principal) {
    return this.auth.me(principal);
  }
}
