import { Injectable, Logger } from '@nestjs/common';
import type { MultipartFile } from '@fastify/multipart';
import type { TContactImport, TImportContactsQuery } from '@orbitdesk/shared';
import { randomUUID } from 'node:crypto';
import { badRequest, notFound, validationError } from '../../common/http/errors.js';
import { ContactImportQueue } from '../../common/queue/contact-import.queue.js';
import { RedisService } from '../../common/redis/redis.module.js';
import { StorageDriver } from '../../common/storage/storage-driver.js';
import { attachmentStorageKey } from '../../common/storage/storage-key.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { isKnownCountry } from './contact-normalize.js';
import {
  importStateKey,
  loadImportState,
  newImportState,
  publicImportState,
  saveImportState,
} from './contact-import.state.js';

/**
 * CSV import, API side: the upload is streamed into storage (never held in memory or on the API host), its
 * progress is created in Redis and a `contact-import` job is queued; the worker parses and upserts it
 * (ContactImportProcessor). Nothing of the import lives in the API process, so a restart or another replica
 * changes nothing.
 */
@Injectable()
export class ContactImportService {
  private readonly logger = new Logger('ContactImportService');

  constructor(
    private readonly redis: RedisService,
    private readonly storage: StorageDriver,
    private readonly queue: ContactImportQueue,
  ) {}

  async start(
    upload: () => Promise<MultipartFile | undefined>,
    q: TImportContactsQuery,
  ): Promise<TContactImport> {
    const tenantId = requestContext.tenantId();
    if (q.defaultCountry && !isKnownCountry(q.defaultCountry))
      throw validationError([
        { path: 'query.defaultCountry', message: `unknown country ${q.defaultCountry}` },
      ]);
    let file: MultipartFile | undefined;
    try {
      file = await upload();
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 413) throw err;
      throw badRequest('Validation failed: file: send the CSV as multipart/form-data with one file field');
    }
    if (!file) throw badRequest('Validation failed: file: a CSV file is required');

    const id = randomUUID();
    // The one key shape the storage drivers accept: tenant-prefixed, so it cannot address another tenant.
    const storageKey = attachmentStorageKey(tenantId, id, new Date());
    // A failed or oversized (413) upload leaves nothing under the key: the drivers only publish complete puts.
    await this.storage.put(storageKey, file.file, { contentType: 'text/csv' });
    const state = newImportState(id);
    try {
      await saveImportState(this.redis.client, tenantId, state);
      const ctx = requestContext.get();
      await this.queue.enqueue({
        tenantId,
        importId: id,
        storageKey,
        defaultCountry: q.defaultCountry,
        principal: ctx?.principal,
        ip: ctx?.ip ?? null,
      });
    } catch (err) {
      // Not queued: nobody would ever process or remove the file, nor finish the progress saved above.
      await this.redis.client
        .del(importStateKey(tenantId, id))
        .catch((e: Error) => this.logger.warn(`could not remove import state ${id}: ${e.message}`));
      await this.storage
        .delete(storageKey)
        .catch((e: Error) => this.logger.warn(`could not remove ${storageKey}: ${e.message}`));
      throw err;
    }
    return publicImportState(state);
  }

  async status(id: string): Promise<TContactImport> {
    const state = await loadImportState(this.redis.client, requestContext.tenantId(), id);
    if (!state) throw notFound('Import');
    return publicImportState(state);
  }
}
