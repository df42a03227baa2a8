import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { LocalStorageDriver, resolveStorageDir } from './local-storage.driver.js';
import { S3StorageDriver } from './s3-storage.driver.js';
import { StorageDriver } from './storage-driver.js';

export function createStorageDriver(config: AppConfig): StorageDriver {
  switch (config.STORAGE_TYPE) {
    case 'local':
      return new LocalStorageDriver(resolveStorageDir(config.STORAGE_LOCAL_DIR));
    case 's3':
      // loadConfig refuses STORAGE_TYPE=s3 unless all four are set.
      return new S3StorageDriver({
        bucket: config.S3_BUCKET!,
        region: config.S3_REGION!,
        endpoint: config.S3_ENDPOINT,
        forcePathStyle: config.S3_FORCE_PATH_STYLE,
        accessKeyId: config.S3_ACCESS_KEY_ID!,
        secretAccessKey: config.S3_SECRET_ACCESS_KEY!,
      });
  }
}

/** The one StorageDriver of the process, chosen by STORAGE_TYPE. */
@Global()
@Module({
  providers: [{ provide: StorageDriver, inject: [APP_CONFIG], useFactory: createStorageDriver }],
  exports: [StorageDriver],
})
export class StorageModule {}
