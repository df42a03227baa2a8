import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/app-config.js';
import { LocalStorageDriver } from './local-storage.driver.js';
import { S3StorageDriver } from './s3-storage.driver.js';
import { createStorageDriver } from './storage.module.js';

const base = {
  DATABASE_URL: 'postgres://app@db.internal:5432/orbitdesk',
  REDIS_URL: 'redis://cache.internal:6379',
  JWT_SECRET: 'access-secret-0123456789abcdef0123456789',
  JWT_REFRESH_SECRET: 'refresh-secret-0123456789abcdef012345678',
  INTERNAL_JWT_SECRET: 'internal-secret-0123456789abcdef01234567',
  ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
};
const s3 = {
  STORAGE_TYPE: 's3',
  S3_REGION: 'eu-central-1',
  S3_BUCKET: 'orbitdesk-files',
  S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  S3_SECRET_ACCESS_KEY: 'secret',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('loadConfig accepted an invalid environment');
}

describe('storage configuration', () => {
  it('defaults to local storage, 25 MiB and five-minute links', () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({
      STORAGE_TYPE: 'local',
      STORAGE_LOCAL_DIR: './storage',
      S3_FORCE_PATH_STYLE: false,
      ATTACHMENT_MAX_BYTES: 25 * 1024 * 1024,
      ATTACHMENT_URL_TTL_SECONDS: 300,
    });
    expect(createStorageDriver(config)).toBeInstanceOf(LocalStorageDriver);
  });

  it('names each S3 variable missing for STORAGE_TYPE=s3 on its own line', () => {
    expect(problemsOf({ ...base, STORAGE_TYPE: 's3' })).toEqual([
      'S3_REGION: is required when STORAGE_TYPE=s3',
      'S3_BUCKET: is required when STORAGE_TYPE=s3',
      'S3_ACCESS_KEY_ID: is required when STORAGE_TYPE=s3',
      'S3_SECRET_ACCESS_KEY: is required when STORAGE_TYPE=s3',
    ]);
    expect(problemsOf({ ...base, ...s3, S3_BUCKET: '' })).toEqual([
      'S3_BUCKET: is required when STORAGE_TYPE=s3',
    ]);
  });

  it('reports S3 problems together with the others', () => {
    expect(problemsOf({ ...base, ...s3, DATABASE_URL: undefined, S3_SECRET_ACCESS_KEY: undefined })).toEqual([
      'DATABASE_URL: is required',
      'S3_SECRET_ACCESS_KEY: is required when STORAGE_TYPE=s3',
    ]);
  });

  it('validates the values', () => {
    expect(problemsOf({ ...base, STORAGE_TYPE: 'ftp' })).toEqual([expect.stringMatching(/^STORAGE_TYPE: /)]);
    expect(problemsOf({ ...base, ...s3, S3_ENDPOINT: 'minio:9000' })).toEqual([
      expect.stringMatching(/^S3_ENDPOINT: must be a URL/),
    ]);
    expect(problemsOf({ ...base, ...s3, S3_BUCKET: 'Not_A_Bucket' })).toEqual([
      'S3_BUCKET: must be a valid bucket name',
    ]);
    expect(problemsOf({ ...base, ATTACHMENT_MAX_BYTES: '0' })).toEqual([
      expect.stringMatching(/^ATTACHMENT_MAX_BYTES: /),
    ]);
    expect(problemsOf({ ...base, ATTACHMENT_URL_TTL_SECONDS: '999999' })).toEqual([
      expect.stringMatching(/^ATTACHMENT_URL_TTL_SECONDS: /),
    ]);
  });

  it('builds the S3 driver when STORAGE_TYPE=s3', () => {
    const driver = createStorageDriver(
      loadConfig({ ...base, ...s3, S3_ENDPOINT: 'http://minio:9000', S3_FORCE_PATH_STYLE: 'true' }),
    );
    expect(driver).toBeInstanceOf(S3StorageDriver);
    (driver as S3StorageDriver).onModuleDestroy();
  });
});
