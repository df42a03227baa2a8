import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { AccessRevocationService } from './access-revocation.service.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthRepository } from './auth.repository.js';
import { AuthService } from './auth.service.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { PasswordService } from './password.service.js';
import { RefreshCookie } from './refresh-cookie.js';
import { TokenService } from './token.service.js';

@Global()
@Module({
  imports: [ApiKeysModule, AuditModule],
  controllers: [AuthController],
  providers: [
    AuthService,
    AuthRepository,
    TokenService,
    PasswordService,
    LoginThrottleService,
    AccessRevocationService,
    RefreshCookie,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [PasswordService, AccessRevocationService, AuthRepository],
})
export class AuthModule {}
