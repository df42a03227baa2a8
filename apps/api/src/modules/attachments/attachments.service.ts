import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import type { TAttachment, TAttachmentDownloadQuery } from '@orbitdesk/shared';
import { randomUUID } from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import { AppError, badRequest, forbidden, notFound } from '../../common/http/errors.js';
import { openUpload, type MultipartReader } from '../../common/http/multipart.js';
import { StorageDriver, StorageObjectNotFoundError } from '../../common/storage/storage-driver.js';
import { attachmentStorageKey } from '../../common/storage/storage-key.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { AuditService } from '../audit/audit.service.js';
import {
  contentDisposition,
  isInlineSafe,
  resolveContentType,
  sanitizeFileName,
  SNIFF_BYTES,
} from './attachment-content.js';
import { DigestMeter, readHead } from './attachment-stream.js';
import { AttachmentUrlSigner } from './attachment-url-signer.js';
import { AttachmentsRepository, type AttachmentRow } from './attachments.repository.js';

export interface StoreFromStreamInput {
  tenantId: string;
  fileName: string;
  /** As declared by the source (a provider's mime_type); the first bytes win when they are recognised. */
  contentType?: string;
  stream: Readable;
}

export interface OutgoingFile {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
  /** A signed download link, valid for the requested time. */
  url: string;
  open(): Promise<Readable>;
  read(): Promise<Buffer>;
}

export interface AttachmentDownload {
  stream: Readable;
  headers: Record<string, string>;
}

const describeBytes = (n: number) =>
  n % 1024 ** 2 === 0 ? `${n / 1024 ** 2} MiB` : n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`;
const tooLarge = (max: number) =>
  new AppError(HttpStatus.PAYLOAD_TOO_LARGE, `The file is too large: the limit is ${describeBytes(max)}`);

@Injectable()
export class AttachmentsService {
  private readonly logger = new Logger('AttachmentsService');

  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: AttachmentsRepository,
    private readonly storage: StorageDriver,
    private readonly signer: AttachmentUrlSigner,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async upload(readFile: MultipartReader): Promise<TAttachment> {
    const tenantId = requestContext.tenantId();
    const principal = requestContext.get()?.principal;
    const max = this.config.ATTACHMENT_MAX_BYTES;
    const file = await openUpload(readFile, max, () => tooLarge(max));
    try {
      return await this.store(tenantId, {
        fileName: file.filename,
        contentType: file.mimetype,
        stream: file.file,
        uploadedBy: principal?.kind === 'user' ? principal.userId : null,
      });
    } catch (err) {
      // A body that breaks off mid-file (truncated, malformed) is the client's fault, not a 500. `errored` also
      // holds an error the stream had before anyone listened (busboy may have parsed the whole body already).
      if (file.file.errored && !(err instanceof AppError)) {
        throw badRequest('Validation failed: file: the upload ended before the file was complete');
      }
      throw err;
    }
  }

  /**
   * For channel adapters that fetch provider media outside any request (webhooks, jobs): stores the stream for
   * `tenantId` under the same limits and checks as an upload. Runs in its own tenant transaction.
   */
  async storeFromStream(input: StoreFromStreamInput): Promise<TAttachment> {
    const current = requestContext.get();
    if (current?.tenantId && current.tenantId !== input.tenantId) {
      // A tenant-scoped caller asking to write into another tenant is a bug, never a legitimate request.
      throw new Error('storeFromStream was called for a tenant other than the one in context');
    }
    return requestContext.run({ ...current, tenantId: input.tenantId }, () =>
      this.store(input.tenantId, { ...input, uploadedBy: null }),
    );
  }

  /**
   * For channel adapters sending a stored file (inside the message's tenant): its metadata, a signed link a
   * provider can fetch for `linkTtlSeconds` (WhatsApp and Messenger take a link), and its bytes on demand
   * (Telegram, Twilio and email take the file itself).
   */
  async openForSend(id: string, linkTtlSeconds = 3600): Promise<OutgoingFile> {
    const row = await this.tenantDb.run((tx) => this.repo.findById(tx, id));
    if (!row) throw notFound('Attachment');
    return {
      id: row.id,
      fileName: row.fileName,
      contentType: row.contentType,
      size: row.sizeBytes,
      url: this.signer.sign(row.id, row.tenantId, Date.now(), linkTtlSeconds).url,
      open: async () => (await this.storage.get(row.storageKey)).stream,
      read: async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of (await this.storage.get(row.storageKey)).stream)
          chunks.push(chunk as Buffer);
        return Buffer.concat(chunks);
      },
    };
  }

  async get(id: string): Promise<TAttachment> {
    const row = await this.tenantDb.run((tx) => this.repo.findById(tx, id));
    if (!row) throw notFound('Attachment');
    return this.toDto(row);
  }

  /**
   * The row and the object go together: the object is deleted inside the transaction, so a storage failure
   * keeps the row (and the caller sees the error and can retry) instead of leaving an unreachable file behind.
   */
  async remove(id: string): Promise<{ ok: true }> {
    await this.tenantDb.run(async (tx) => {
      const row = await this.repo.findById(tx, id);
      if (!row) throw notFound('Attachment');
      await this.repo.delete(tx, id);
      await this.audit.record(tx, {
        action: 'attachment.deleted',
        entityType: 'attachment',
        entityId: id,
        metadata: { fileName: row.fileName, size: row.sizeBytes, sha256: row.sha256 },
      });
      await this.storage.delete(row.storageKey);
    });
    return { ok: true };
  }

  /**
   * Serves a signed link. There is no session here: the signature is the credential, and it is checked against
   * the tenant of the row the id names, so a link can only ever open the one attachment it was minted for.
   */
  async download(id: string, { expires, sig }: TAttachmentDownloadQuery): Promise<AttachmentDownload> {
    const invalid = () => forbidden('This download link is invalid; request a new one from the attachment');
    if (!AttachmentUrlSigner.looksLikeSignature(sig)) throw invalid();
    const row = await this.repo.unsafeFindForDownload(id);
    // A missing row answers like a bad signature, so the link endpoint does not reveal which ids exist.
    if (!row) throw invalid();
    const check = this.signer.check(row.id, row.tenantId, expires, sig);
    if (check === 'invalid') throw invalid();
    if (check === 'expired') {
      throw forbidden('This download link has expired; request a new one from the attachment');
    }
    if (row.tenantStatus !== 'ACTIVE') throw forbidden('The workspace of this attachment is not active');

    let object;
    try {
      object = await this.storage.get(row.storageKey);
    } catch (err) {
      if (err instanceof StorageObjectNotFoundError) throw notFound('Attachment file');
      throw err;
    }
    if (object.size !== row.sizeBytes) {
      object.stream.destroy();
      throw new Error(
        `stored object ${row.storageKey} has ${object.size} bytes, its row says ${row.sizeBytes}`,
      );
    }
    return {
      stream: object.stream,
      headers: {
        'content-type': row.contentType,
        'content-length': String(row.sizeBytes),
        'content-disposition': contentDisposition(
          isInlineSafe(row.contentType) ? 'inline' : 'attachment',
          row.fileName,
        ),
        // Browsers must take the stored type as final: no guessing HTML out of a "text/plain" or an image.
        'x-content-type-options': 'nosniff',
        // The bytes behind an id never change; private keeps them out of shared caches.
        'cache-control': `private, max-age=${this.config.ATTACHMENT_URL_TTL_SECONDS}`,
      },
    };
  }

  private async store(
    tenantId: string,
    input: { fileName: string; contentType?: string; stream: Readable; uploadedBy: string | null },
  ): Promise<TAttachment> {
    const max = this.config.ATTACHMENT_MAX_BYTES;
    const { head, stream } = await readHead(input.stream, SNIFF_BYTES);
    if (head.length === 0) {
      stream.destroy();
      throw badRequest('Validation failed: file: the file is empty');
    }
    const contentType = resolveContentType(head, input.contentType);
    const id = randomUUID();
    const storageKey = attachmentStorageKey(tenantId, id, new Date());

    const meter = new DigestMeter(max);
    let size: number;
    try {
      // The callback only has to exist: pipeline() passes a source error on to the meter, and put() sees it.
      ({ size } = await this.storage.put(
        storageKey,
        pipeline(stream, meter, () => undefined),
        { contentType },
      ));
    } catch (err) {
      if (meter.exceeded) throw tooLarge(max);
      throw err;
    }
    if (size !== meter.bytes) {
      await this.discard(storageKey);
      throw new Error(`storage stored ${size} bytes of ${meter.bytes}`);
    }

    try {
      const row = await this.tenantDb.run((tx) =>
        this.repo.insert(tx, {
          id,
          tenantId,
          storageKey,
          fileName: sanitizeFileName(input.fileName),
          contentType,
          sizeBytes: size,
          sha256: meter.sha256(),
          uploadedBy: input.uploadedBy,
        }),
      );
      return this.toDto(row);
    } catch (err) {
      await this.discard(storageKey);
      throw err;
    }
  }

  /** Best effort: an object whose row was never written is unreachable, so a failure here is only logged. */
  private async discard(storageKey: string): Promise<void> {
    await this.storage
      .delete(storageKey)
      .catch((err: Error) =>
        this.logger.warn(`could not remove orphaned object ${storageKey}: ${err.message}`),
      );
  }

  private toDto(row: AttachmentRow): TAttachment {
    const link = this.signer.sign(row.id, row.tenantId);
    return {
      id: row.id,
      fileName: row.fileName,
      contentType: row.contentType,
      size: row.sizeBytes,
      sha256: row.sha256,
      createdAt: row.createdAt.toISOString(),
      url: link.url,
      urlExpiresAt: link.expiresAt.toISOString(),
    };
  }
}
