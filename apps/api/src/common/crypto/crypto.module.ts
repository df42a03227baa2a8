import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { SecretBox } from './secret-box.js';

@Global()
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) =>
        new SecretBox(
          c.ENCRYPTION_KEY_ID,
          Buffer.from(c.ENCRYPTION_KEY, 'base64'),
          c.ENCRYPTION_PREVIOUS_KEYS,
        ),
    },
  ],
  exports: [SecretBox],
})
export class CryptoModule {}
