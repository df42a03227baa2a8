import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { MultipartFile } from '@fastify/multipart';
import {
  KNOWLEDGE_MAX_FILE_BYTES,
  type TCreateKnowledgeSourceRequest,
  type TCursorQuery,
  type TKnowledgeBase,
  type TKnowledgeSource,
  type TKnowledgeSourcePage,
} from '@orbitdesk/shared';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { SafeHttpClient } from '../../common/http-client/safe-http-client.js';
import { AppError, badRequest, notFound } from '../../common/http/errors.js';
import { openUpload, type MultipartReader } from '../../common/http/multipart.js';
import { decodeCursor, toPage } from '../../common/http/pagination.js';
import { KnowledgeIngestQueue } from '../../common/queue/knowledge.queue.js';
import { StorageDriver } from '../../common/storage/storage-driver.js';
import { attachmentStorageKey } from '../../common/storage/storage-key.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import type { TenantTx } from '../../db/database.js';
import { sanitizeFileName } from '../attachments/attachment-content.js';
import { AuditService } from '../audit/audit.service.js';
import { toKnowledgeBaseDto, toKnowledgeSourceDto } from './knowledge-dto.js';
import { detectKnowledgeFile } from './knowledge-file-type.js';
import { KnowledgeRepository, type KnowledgeSourceRow } from './knowledge.repository.js';

const tooLarge = () =>
  new AppError(
    HttpStatus.PAYLOAD_TOO_LARGE,
    `The file is too large: the limit is ${KNOWLEDGE_MAX_FILE_BYTES / (1024 * 1024)} MiB`,
  );

const NOT_QUEUED = 'Indexing could not be queued; re-index the source to try again';

/**
 * Sources of a knowledge base, API side: the content is stored (StorageDriver) or the URL checked, the row is
 * committed as `pending`, and a `knowledge-ingest` job does the rest in the worker.
 */
@Injectable()
export class KnowledgeSourcesService {
  private readonly logger = new Logger('KnowledgeSourcesService');

  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: KnowledgeRepository,
    private readonly storage: StorageDriver,
    private readonly http: SafeHttpClient,
    private readonly queue: KnowledgeIngestQueue,
    private readonly audit: AuditService,
  ) {}

  async list(baseId: string, q: TCursorQuery): Promise<TKnowledgeSourcePage> {
    const rows = await this.tenantDb.run(async (tx) => {
      await this.baseFound(tx, baseId);
      return this.repo.listSources(tx, baseId, { cursor: decodeCursor(q.cursor), limit: q.limit });
    });
    return toPage(rows, q.limit, toKnowledgeSourceDto);
  }

  get(baseId: string, sourceId: string): Promise<TKnowledgeSource> {
    return this.tenantDb.run(async (tx) =>
      toKnowledgeSourceDto(await this.sourceFound(tx, baseId, sourceId)),
    );
  }

  async create(baseId: string, input: TCreateKnowledgeSourceRequest): Promise<TKnowledgeSource> {
    const tenantId = requestContext.tenantId();
    await this.tenantDb.run((tx) => this.baseFound(tx, baseId));
    if (input.type === 'URL') {
      // Early and readable; the worker's connection-time check is what actually guards (DNS can change).
      await this.http.assertAllowedUrlField(input.url, 'body.url');
      return this.insertAndQueue(tenantId, baseId, {
        type: 'URL',
        name: input.name ?? input.url,
        url: input.url,
      });
    }
    const data = Buffer.from(input.text, 'utf8');
    const storageKey = await this.keep(tenantId, data, 'text/plain');
    return this.insertAndQueue(tenantId, baseId, {
      type: 'TEXT',
      name: input.name,
      mimeType: 'text/plain',
      sizeBytes: data.length,
      storageKey,
    });
  }

  /** A PDF, DOCX, TXT or CSV upload (multipart field `file`), checked by extension and content. */
  async upload(baseId: string, readFile: MultipartReader): Promise<TKnowledgeSource> {
    const tenantId = requestContext.tenantId();
    await this.tenantDb.run((tx) => this.baseFound(tx, baseId));
    const file = await openUpload(readFile, KNOWLEDGE_MAX_FILE_BYTES, tooLarge);
    const data = await readAll(file);
    if (!data.length) throw badRequest('Validation failed: file: the file is empty');
    const name = sanitizeFileName(file.filename);
    const verdict = detectKnowledgeFile(name, data);
    if ('error' in verdict) throw new AppError(HttpStatus.UNSUPPORTED_MEDIA_TYPE, verdict.error);
    const storageKey = await this.keep(tenantId, data, verdict.mimeType);
    return this.insertAndQueue(tenantId, baseId, {
      type: 'FILE',
      name,
      mimeType: verdict.mimeType,
      sizeBytes: data.length,
      storageKey,
    });
  }

  async reindex(baseId: string, sourceId: string): Promise<TKnowledgeSource> {
    const tenantId = requestContext.tenantId();
    const row = await this.tenantDb.run(async (tx) => {
      await this.sourceFound(tx, baseId, sourceId);
      const row = await this.repo.updateSource(tx, sourceId, { status: 'pending', progress: 0, error: null });
      await this.audit.record(tx, {
        action: 'knowledge_source.reindexed',
        entityType: 'knowledge_source',
        entityId: sourceId,
      });
      return row!;
    });
    return this.queueOrFail(tenantId, row);
  }

  /** Every source of the base, each its own job. */
  async reindexAll(baseId: string): Promise<TKnowledgeBase> {
    const tenantId = requestContext.tenantId();
    const rows = await this.tenantDb.run(async (tx) => {
      await this.baseFound(tx, baseId);
      const rows = await this.repo.resetSources(tx, baseId);
      await this.audit.record(tx, {
        action: 'knowledge_base.reindexed',
        entityType: 'knowledge_base',
        entityId: baseId,
        metadata: { sources: rows.length },
      });
      return rows;
    });
    for (const row of rows) await this.queueOrFail(tenantId, row);
    return this.tenantDb.run(async (tx) => toKnowledgeBaseDto(await this.baseFound(tx, baseId)));
  }

  /** Its chunks go in the same transaction, and the base's index version moves so vector indexes drop them. */
  async remove(baseId: string, sourceId: string): Promise<TKnowledgeSource> {
    const row = await this.tenantDb.run(async (tx) => {
      const row = await this.sourceFound(tx, baseId, sourceId);
      await this.repo.deleteSource(tx, sourceId);
      await this.repo.bumpIndexVersion(tx, baseId);
      await this.audit.record(tx, {
        action: 'knowledge_source.deleted',
        entityType: 'knowledge_source',
        entityId: sourceId,
        metadata: { name: row.name, type: row.type, chunks: row.chunkCount },
      });
      return row;
    });
    if (row.storageKey) await this.discard(row.storageKey);
    return toKnowledgeSourceDto(row);
  }

  private async insertAndQueue(
    tenantId: string,
    baseId: string,
    values: Pick<KnowledgeSourceRow, 'type' | 'name'> &
      Partial<Pick<KnowledgeSourceRow, 'url' | 'mimeType' | 'sizeBytes' | 'storageKey'>>,
  ): Promise<TKnowledgeSource> {
    let row: KnowledgeSourceRow;
    try {
      row = await this.tenantDb.run(async (tx) => {
        // Checked again inside the insert's transaction: the base may have gone while the file was stored.
        await this.baseFound(tx, baseId);
        const row = await this.repo.insertSource(tx, {
          ...values,
          tenantId,
          knowledgeBaseId: baseId,
          status: 'pending',
        });
        await this.audit.record(tx, {
          action: 'knowledge_source.created',
          entityType: 'knowledge_source',
          entityId: row.id,
          metadata: { knowledgeBaseId: baseId, type: row.type, name: row.name },
        });
        return row;
      });
    } catch (err) {
      if (values.storageKey) await this.discard(values.storageKey);
      throw err;
    }
    return this.queueOrFail(tenantId, row);
  }

  /**
   * The row is committed before its job is queued (the worker must find it). If Redis refuses the job, the source
   * says so instead of waiting as `pending` for a job that will never come.
   */
  private async queueOrFail(tenantId: string, row: KnowledgeSourceRow): Promise<TKnowledgeSource> {
    try {
      await this.queue.enqueue({ tenantId, sourceId: row.id });
      return toKnowledgeSourceDto(row);
    } catch (err) {
      this.logger.error(`source ${row.id} not queued: ${(err as Error).message}`);
      const failed = await this.tenantDb.run((tx) =>
        this.repo.updateSource(tx, row.id, { status: 'failed', error: NOT_QUEUED }),
      );
      return toKnowledgeSourceDto(failed ?? row);
    }
  }

  /** Pasted text and uploads are kept, so a re-index needs no second upload. */
  private async keep(tenantId: string, data: Buffer, contentType: string): Promise<string> {
    const key = attachmentStorageKey(tenantId, randomUUID(), new Date());
    await this.storage.put(key, Readable.from([data]), { contentType, size: data.length });
    return key;
  }

  private async discard(key: string): Promise<void> {
    await this.storage
      .delete(key)
      .catch((err: Error) => this.logger.warn(`could not remove ${key}: ${err.message}`));
  }

  private async baseFound(tx: TenantTx, id: string) {
    const row = await this.repo.findBase(tx, id);
    if (!row) throw notFound('Knowledge base');
    return row;
  }

  private async sourceFound(tx: TenantTx, baseId: string, sourceId: string): Promise<KnowledgeSourceRow> {
    const row = await this.repo.findSource(tx, sourceId);
    if (!row || row.knowledgeBaseId !== baseId) throw notFound('Knowledge source');
    return row;
  }
}

/** The whole upload (at most KNOWLEDGE_MAX_FILE_BYTES + 1 bytes arrive; more is a 413). */
async function readAll(file: MultipartFile): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const part of file.file as AsyncIterable<Buffer>) {
      size += part.length;
      if (size > KNOWLEDGE_MAX_FILE_BYTES) throw tooLarge();
      parts.push(part);
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    if ((err as { statusCode?: number }).statusCode === 413) throw tooLarge();
    throw badRequest('Validation failed: file: the upload ended before the file was complete');
  }
  if (file.file.truncated) throw tooLarge();
  return Buffer.concat(parts);
}
