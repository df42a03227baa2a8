import { Injectable, Logger } from '@nestjs/common';
import { MAX_CUSTOM_FIELDS, MAX_CUSTOM_FIELDS_BYTES, MAX_IMPORT_ERRORS } from '@orbitdesk/shared';
import type { Job } from 'bullmq';
import { parse, type CsvError } from 'csv-parse';
import { Transform, type Readable } from 'node:stream';
import type { ContactImportJobData } from '../../common/queue/contact-import.queue.js';
import { RedisService } from '../../common/redis/redis.module.js';
import { StorageDriver, StorageObjectNotFoundError } from '../../common/storage/storage-driver.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import type { TenantTx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/query-helpers.js';
import { AuditService } from '../audit/audit.service.js';
import { normalizeEmail, normalizePhone, parseCsvBoolean, splitTagCell } from './contact-normalize.js';
import { loadImportState, saveImportState, type StoredImport } from './contact-import.state.js';
import { ContactsRepository, type ImportRow } from './contacts.repository.js';

const BATCH_SIZE = 500;
const MAX_RECORD_BYTES = 64 * 1024;
const KNOWN = new Set(['phone', 'name', 'email', 'tags', 'opted_in']);
/** committedLine once the whole file is done. */
const END_OF_FILE = Number.MAX_SAFE_INTEGER;

interface PendingRow extends ImportRow {
  line: number;
}

interface RowError {
  row: number;
  message: string;
}

/** What one committed batch adds to the counts. */
interface BatchTally {
  created: number;
  updated: number;
  failures: RowError[];
}

type RowResult = { row: ImportRow } | { error: string };

/** One CSV record (keyed by header) to a contact row, or the reason it cannot be one. */
export function toImportRow(record: Record<string, string>, defaultCountry?: string): RowResult {
  const customFields: Record<string, string> = {};
  for (const [column, value] of Object.entries(record)) {
    if (!KNOWN.has(column) && value.trim() !== '') customFields[column] = value.trim();
  }
  const phoneCell = (record.phone ?? '').trim();
  const emailCell = (record.email ?? '').trim();
  const phone = phoneCell ? normalizePhone(phoneCell, defaultCountry) : null;
  if (phoneCell && !phone) return { error: `phone: "${phoneCell.slice(0, 40)}" is not a valid phone number` };
  const email = emailCell ? normalizeEmail(emailCell) : null;
  if (emailCell && !email)
    return { error: `email: "${emailCell.slice(0, 60)}" is not a valid email address` };
  if (!phone && !email) return { error: 'phone or email is required to match the contact' };
  const name = (record.name ?? '').trim() || null;
  if (name && name.length > 200) return { error: 'name: must be at most 200 characters' };
  const tags = splitTagCell(record.tags ?? '');
  if (tags.length > 50 || tags.some((t) => t.length > 50))
    return { error: 'tags: at most 50 tags of at most 50 characters each' };
  const optedIn = parseCsvBoolean(record.opted_in ?? '');
  if (optedIn === null) return { error: `opted_in: "${record.opted_in}" is not yes/no/true/false/1/0` };
  if (
    Object.keys(customFields).length > MAX_CUSTOM_FIELDS ||
    JSON.stringify(customFields).length > MAX_CUSTOM_FIELDS_BYTES
  )
    return {
      error: `custom fields: at most ${MAX_CUSTOM_FIELDS} fields and ${MAX_CUSTOM_FIELDS_BYTES} bytes`,
    };
  return { row: { phone, email, name, tags, customFields, optedIn } };
}

/** BullMQ counts failed attempts only; this run is the last when no retry would follow its failure. */
const isLastAttempt = (job: Job) => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

/**
 * CSV import, worker side (the `contact-import` job): streams the stored upload through csv-parse and upserts
 * it in batches of BATCH_SIZE, one transaction each, saving progress in Redis after every batch.
 *
 * Resumable: the saved progress records the last CSV line whose outcome is committed (`committedLine`) and
 * counts exactly the lines up to it. A retried job (worker crash, database error) re-reads the file and skips
 * those lines, so nothing is imported or counted twice. The one window left is a crash between a batch's commit
 * and its progress save: the retry upserts that batch again (same data) and counts its new rows as updated.
 */
@Injectable()
export class ContactImportProcessor {
  private readonly logger = new Logger('ContactImportProcessor');

  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: ContactsRepository,
    private readonly audit: AuditService,
    private readonly redis: RedisService,
    private readonly storage: StorageDriver,
  ) {}

  process(job: Job<ContactImportJobData>): Promise<void> {
    const data = job.data;
    return requestContext.run(
      {
        tenantId: data.tenantId,
        principal: data.principal,
        ip: data.ip ?? null,
        requestId: `job:contact-import:${data.importId}`,
      },
      () => this.run(data, isLastAttempt(job)),
    );
  }

  private async run(data: ContactImportJobData, lastAttempt: boolean): Promise<void> {
    const state = await loadImportState(this.redis.client, data.tenantId, data.importId);
    if (!state || state.status !== 'running') {
      // Already finished (a repeated job) or expired: at most the file is left over.
      await this.removeFile(data.storageKey);
      return;
    }
    try {
      await this.parseFile(state, data);
      state.status = 'completed';
    } catch (err) {
      if (!(err instanceof ImportFileError) && !lastAttempt) {
        // BullMQ retries; the retry resumes after state.committedLine, which Redis already holds.
        this.logger.warn(`contact import ${state.id} interrupted, will retry: ${(err as Error).message}`);
        throw err;
      }
      this.logger.error({ err }, `contact import ${state.id} failed: ${(err as Error).message}`);
      state.status = 'failed';
      state.message =
        err instanceof ImportFileError ? err.message : 'The import stopped on an internal error';
    }
    state.finishedAt = new Date().toISOString();
    try {
      await this.tenantDb.run((tx) =>
        this.audit.record(tx, {
          action: 'contact.imported',
          entityType: 'contact_import',
          entityId: state.id,
          metadata: {
            status: state.status,
            processed: state.processed,
            created: state.created,
            updated: state.updated,
            failed: state.failed,
          },
        }),
      );
    } catch (err) {
      this.logger.error({ err }, `contact import ${state.id}: could not record the audit entry`);
    }
    // The result is saved before the file goes: a crash in between leaves a finished import whose repeated job
    // only removes the file (above), never one that is 'running' without a file.
    await saveImportState(this.redis.client, data.tenantId, state);
    await this.removeFile(data.storageKey);
  }

  /**
   * For a job BullMQ failed for good without this processor finishing it (a worker that kept dying mid-import
   * exhausts the stall limit, and the processor is never called again): ends the import as failed and removes
   * its file, so it is not left 'running' forever.
   */
  async abandon(data: ContactImportJobData): Promise<void> {
    const state = await loadImportState(this.redis.client, data.tenantId, data.importId);
    if (state?.status === 'running') {
      state.status = 'failed';
      state.message = 'The import stopped on an internal error';
      state.finishedAt = new Date().toISOString();
      await saveImportState(this.redis.client, data.tenantId, state);
    }
    await this.removeFile(data.storageKey);
  }

  private async removeFile(key: string): Promise<void> {
    await this.storage
      .delete(key)
      .catch((err: Error) => this.logger.warn(`could not remove the import file ${key}: ${err.message}`));
  }

  /**
   * Reads the file in one pass. A record the parser cannot read is skipped and reported; an unclosed quote
   * swallows the rest of the file, so the parse restarts on the line after the one that opened it.
   */
  private async parseFile(state: StoredImport, data: ContactImportJobData) {
    const { tenantId, storageKey, defaultCountry } = data;
    // Lines up to here were committed and counted by an earlier attempt of this job.
    const resumeAfter = state.committedLine;
    let header: string[] | undefined;
    // Where this pass starts: the whole file first, after an unclosed quote the line after it.
    let start = { line: 1, offset: 0 };
    let batch = new Map<string, PendingRow>();
    // Row failures not yet saved; a read-ahead parse error can be reported before earlier rows are committed.
    let failures: RowError[] = [];
    const fail = (row: number, message: string) => {
      if (row > resumeAfter) failures.push({ row, message });
    };
    const checkHeader = (h: string[]) => {
      if (!h.includes('phone') && !h.includes('email'))
        throw new ImportFileError('The CSV header must have a phone or an email column');
    };
    /** Commits the batch and counts every outcome up to `through`, then saves that as the resume point. */
    const commit = async (through: number) => {
      const rows = [...batch.values()];
      batch = new Map();
      if (rows.length) {
        const tally = await this.writeBatch(tenantId, rows);
        state.processed += tally.created + tally.updated;
        state.created += tally.created;
        state.updated += tally.updated;
        failures.push(...tally.failures);
      }
      const done = failures.filter((f) => f.row <= through);
      failures = failures.filter((f) => f.row > through);
      for (const f of done) {
        state.failed++;
        state.processed++;
        if (state.errors.length < MAX_IMPORT_ERRORS) state.errors.push(f);
      }
      if (through <= state.committedLine) return;
      state.committedLine = through;
      if (rows.length || done.length) await saveImportState(this.redis.client, tenantId, state);
    };

    for (;;) {
      const lineBase = start.line - 1;
      // Line 1 is the header.
      let lastLine = Math.max(lineBase, 1);
      let emitted = false;
      let unclosed = false;
      const source = await this.open(storageKey, start.offset);
      const parser = parse({
        bom: true,
        columns:
          header ??
          ((first: string[]) => {
            header = first.map((h) => {
              const name = h.trim();
              return KNOWN.has(name.toLowerCase()) ? name.toLowerCase() : name;
            });
            return header;
          }),
        skip_empty_lines: true,
        skip_records_with_error: true,
        max_record_size: MAX_RECORD_BYTES,
        info: true,
      });
      source.on('error', (err) => parser.destroy(err));
      source.pipe(parser);
      parser.on('skip', (err: CsvError) => {
        if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
          unclosed = true;
          return;
        }
        // Skips are emitted as the parser reads ahead of the loop below, hence max().
        const line = typeof err.lines === 'number' ? lineBase + err.lines : lastLine + 1;
        lastLine = Math.max(lastLine, line);
        emitted = true;
        fail(line, describeCsvError(err));
      });
      try {
        for await (const { record, info } of parser as AsyncIterable<{
          record: Record<string, string>;
          info: { lines: number };
        }>) {
          if (!emitted && lineBase === 0 && header) checkHeader(header);
          const line = lineBase + info.lines;
          lastLine = Math.max(lastLine, line);
          emitted = true;
          if (line <= resumeAfter) continue;
          const result = toImportRow(record, defaultCountry);
          if ('error' in result) {
            fail(line, result.error);
            continue;
          }
          const key = result.row.phone ? `p:${result.row.phone}` : `e:${result.row.email}`;
          // The same contact twice in one statement is not allowed by ON CONFLICT: the earlier batch goes first.
          // Every line before this record is read and in the batch or failed, so it is the resume point.
          if (batch.has(key) || batch.size >= BATCH_SIZE) await commit(line - 1);
          batch.set(key, { ...result.row, line });
        }
      } finally {
        source.destroy();
      }
      await commit(lastLine);
      if (!header) throw new ImportFileError('The file is empty');
      checkHeader(header);
      if (!unclosed) break;
      // The quote opened on the first non-blank line after the last record read; go on after that line.
      const broken = await findLine(() => this.open(storageKey, 0), lastLine + 1, { nonBlank: true });
      fail(broken.line, 'malformed CSV: a quoted field is never closed; the row was skipped');
      const next = await findLine(() => this.open(storageKey, 0), broken.line + 1, { nonBlank: false });
      if (next.offset < 0) break;
      start = next;
    }
    await commit(END_OF_FILE);
  }

  /** The stored file from byte `offset` on (the drivers serve whole objects, so the head is read and dropped). */
  private async open(key: string, offset: number): Promise<Readable> {
    let stream: Readable;
    try {
      ({ stream } = await this.storage.get(key));
    } catch (err) {
      if (err instanceof StorageObjectNotFoundError)
        throw new ImportFileError('The uploaded file is no longer available');
      throw err;
    }
    if (offset === 0) return stream;
    let skip = offset;
    const tail = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (skip >= chunk.length) {
          skip -= chunk.length;
          done();
          return;
        }
        const rest = skip ? chunk.subarray(skip) : chunk;
        skip = 0;
        done(null, rest);
      },
    });
    stream.on('error', (err) => tail.destroy(err));
    tail.on('close', () => stream.destroy());
    return stream.pipe(tail);
  }

  /**
   * One transaction per batch; a batch that hits a conflict is redone row by row so only that row fails. The
   * tally is returned, not applied, so a batch that rolls back counts nothing.
   */
  private writeBatch(tenantId: string, rows: PendingRow[]): Promise<BatchTally> {
    const groups = [
      { key: 'phone' as const, setOptedIn: true },
      { key: 'phone' as const, setOptedIn: false },
      { key: 'email' as const, setOptedIn: true },
      { key: 'email' as const, setOptedIn: false },
    ].map((g) => ({
      ...g,
      rows: rows.filter(
        (r) => (g.key === 'phone') === !!r.phone && g.setOptedIn === (r.optedIn !== undefined),
      ),
    }));
    return this.tenantDb.run(async (tx) => {
      const tally: BatchTally = { created: 0, updated: 0, failures: [] };
      const count = (result: { inserted: boolean }[]) => {
        for (const r of result) {
          if (r.inserted) tally.created++;
          else tally.updated++;
        }
      };
      for (const g of groups) {
        if (!g.rows.length) continue;
        try {
          count(
            await tx.transaction((sp) =>
              this.repo.upsertBatch(sp as TenantTx, tenantId, g.rows, g.key, g.setOptedIn),
            ),
          );
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          for (const row of g.rows) {
            try {
              count(
                await tx.transaction((sp) =>
                  this.repo.upsertBatch(sp as TenantTx, tenantId, [row], g.key, g.setOptedIn),
                ),
              );
            } catch (rowErr) {
              if (!isUniqueViolation(rowErr)) throw rowErr;
              tally.failures.push({
                row: row.line,
                message:
                  g.key === 'phone' && row.email
                    ? `email: ${row.email} already belongs to another contact`
                    : 'conflicts with another contact',
              });
            }
          }
        }
      }
      return tally;
    });
  }
}

/**
 * Line number and byte offset of line `from` (or of the first non-blank line from there) by scanning for
 * newlines; offset -1 when the file ends first.
 */
async function findLine(
  open: () => Promise<Readable>,
  from: number,
  opts: { nonBlank: boolean },
): Promise<{ line: number; offset: number }> {
  let line = 1;
  let offset = 0;
  let lineStart = 0;
  let blank = true;
  for await (const chunk of (await open()) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++, offset++) {
      const byte = chunk[i]!;
      if (byte === 0x0a) {
        if (line >= from && !(opts.nonBlank && blank)) return { line, offset: lineStart };
        line++;
        lineStart = offset + 1;
        blank = true;
      } else if (byte !== 0x0d && byte !== 0x20 && byte !== 0x09) {
        blank = false;
      }
    }
  }
  // The last line has no newline after it.
  if (line >= from && lineStart < offset && !(opts.nonBlank && blank)) return { line, offset: lineStart };
  return { line, offset: -1 };
}

/** A problem with the file as a whole (no header, no phone or email column): the import stops with it. */
class ImportFileError extends Error {}

const CSV_ERRORS: Partial<Record<string, string>> = {
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'the row has a different number of columns than the header',
  CSV_RECORD_INCONSISTENT_COLUMNS: 'the row has a different number of columns than the header',
  CSV_INVALID_CLOSING_QUOTE: 'unexpected character after a closing quote',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted field',
  CSV_MAX_RECORD_SIZE: `the row is longer than ${MAX_RECORD_BYTES} bytes`,
};

function describeCsvError(err: CsvError): string {
  return `malformed CSV: ${CSV_ERRORS[err.code] ?? err.message}; the row was skipped`;
}
