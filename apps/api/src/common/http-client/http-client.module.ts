import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { SafeHttpClient } from './safe-http-client.js';

/** The one SafeHttpClient of the process, with the operator's OUTBOUND_ALLOW_PRIVATE_NETWORKS setting. */
@Global()
@Module({
  providers: [
    {
      provide: SafeHttpClient,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) =>
        new SafeHttpClient({ allowPrivateNetworks: c.OUTBOUND_ALLOW_PRIVATE_NETWORKS }),
    },
  ],
  exports: [SafeHttpClient],
})
export class HttpClientModule {}
