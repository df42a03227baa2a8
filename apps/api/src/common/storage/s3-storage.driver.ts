import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { OnModuleDestroy } from '@nestjs/common';
import { Readable, Transform, pipeline } from 'node:stream';
import { assertStorageKey } from './storage-key.js';
import {
  StorageObjectNotFoundError,
  type StorageDriver,
  type StoragePutOptions,
  type StoredObject,
} from './storage-driver.js';

export interface S3StorageOptions {
  bucket: string;
  region: string;
  /** Only for S3-compatible services (MinIO, R2, ...); AWS derives it from the region. */
  endpoint?: string;
  forcePathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  /**
   * Bodies up to this size go up in one PutObject; larger ones as a multipart upload of parts this size.
   * At least 5 MiB (the S3 minimum part size). Memory per upload is about partSize × 2 (two parts in flight).
   */
  partSize?: number;
}

const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

/** Objects in an S3 bucket, or any service that speaks the S3 API (STORAGE_TYPE=s3). */
export class S3StorageDriver implements StorageDriver, OnModuleDestroy {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly partSize: number;

  constructor(options: S3StorageOptions) {
    this.bucket = options.bucket;
    this.partSize = options.partSize ?? DEFAULT_PART_SIZE;
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    });
  }

  async put(key: string, body: Readable, options: StoragePutOptions): Promise<{ size: number }> {
    assertStorageKey(key);
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        done(null, chunk);
      },
    });
    // pipeline() carries an error of the source into `counter`, where the upload sees it and aborts; the
    // callback only has to exist.
    const counted = pipeline(body, counter, () => undefined);
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: counted,
        ContentType: options.contentType,
        ContentLength: options.size,
      },
      partSize: this.partSize,
      queueSize: 2,
    });
    await upload.done();
    return { size };
  }

  async get(key: string): Promise<StoredObject> {
    assertStorageKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!(res.Body instanceof Readable)) throw new Error('S3 GetObject returned no readable body');
      return { stream: res.Body, size: res.ContentLength ?? 0, contentType: res.ContentType };
    } catch (err) {
      if (err instanceof NoSuchKey) throw new StorageObjectNotFoundError(key);
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertStorageKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async exists(key: string): Promise<boolean> {
    assertStorageKey(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (err) {
      if (err instanceof NotFound) return false;
      throw err;
    }
  }

  onModuleDestroy(): void {
    this.client.destroy();
  }
}
