import { Injectable, Logger } from '@nestjs/common';
import type { MultipartFile } from '@fastify/multipart';
import {
  MAX_CUSTOM_FIELDS,
  MAX_CUSTOM_FIELDS_BYTES,
  MAX_IMPORT_ERRORS,
  type TContactImport,
  type TImportContactsQuery,
} from '@orbitdesk/shared';
import { parse, type CsvError } from 'csv-parse';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { badRequest, notFound, validationError } from '../../common/http/errors.js';
import { RedisService } from '../../common/redis/redis.module.js';
import { requestContext, type RequestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import type { TenantTx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/query-helpers.js';
import { AuditService } from '../audit/audit.service.js';
import {
  isKnownCountry,
  normalizeEmail,
  normalizePhone,
  parseCsvBoolean,
  splitTagCell,
} from './contact-normalize.js';
import { ContactsRepository, type ImportRow } from './contacts.repository.js';

const BATCH_SIZE = 500;
const STATE_TTL_SECONDS = 7 * 24 * 60 * 60;
const MAX_RECORD_BYTES = 64 * 1024;
const KNOWN = new Set(['phone', 'name', 'email', 'tags', 'opted_in']);

interface PendingRow extends ImportRow {
  line: number;
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

const stateKey = (tenantId: string, id: string) => `contacts:import:${tenantId}:${id}`;

/**
 * CSV import: the upload is spooled to a temporary file (never held in memory), then parsed row by row in the
 * background and upserted in batches of BATCH_SIZE per transaction. Progress lives in Redis under a
 * tenant-scoped key, so another tenant's import id simply is not found.
 */
@Injectable()
export class ContactImportService {
  private readonly logger = new Logger('ContactImportService');

  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: ContactsRepository,
    private readonly audit: AuditService,
    private readonly redis: RedisService,
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
    const path = join(tmpdir(), `orbitdesk-contacts-${id}.csv`);
    try {
      await pipeline(file.file, createWriteStream(path));
    } catch (err) {
      await rm(path, { force: true });
      throw err;
    }
    const state: TContactImport = {
      id,
      status: 'running',
      processed: 0,
      created: 0,
      updated: 0,
      failed: 0,
      errors: [],
      message: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    await this.save(tenantId, state);
    const ctx = requestContext.get();
    // The work outlives the request: it gets its own context carrying only the tenant and the actor.
    const jobCtx: RequestContext = {
      tenantId,
      principal: ctx?.principal,
      requestId: ctx?.requestId,
      ip: ctx?.ip,
    };
    void requestContext.run(jobCtx, () => this.run(tenantId, state, path, q.defaultCountry));
    return { ...state };
  }

  async status(id: string): Promise<TContactImport> {
    const raw = await this.redis.client.get(stateKey(requestContext.tenantId(), id));
    if (!raw) throw notFound('Import');
    return JSON.parse(raw) as TContactImport;
  }

  private async run(tenantId: string, state: TContactImport, path: string, defaultCountry?: string) {
    try {
      await this.parseFile(tenantId, state, path, defaultCountry);
      state.status = 'completed';
    } catch (err) {
      this.logger.error({ err }, `contact import ${state.id} failed: ${(err as Error).message}`);
      state.status = 'failed';
      state.message =
        err instanceof ImportFileError ? err.message : 'The import stopped on an internal error';
    } finally {
      await rm(path, { force: true });
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
      await this.save(tenantId, state);
    } catch (err) {
      this.logger.error({ err }, `contact import ${state.id}: could not record the result`);
    }
  }

  /**
   * Reads the file in one pass. A record the parser cannot read is skipped and reported; an unclosed quote
   * swallows the rest of the file, so the parse restarts on the line after the one that opened it.
   */
  private async parseFile(tenantId: string, state: TContactImport, path: string, defaultCountry?: string) {
    let header: string[] | undefined;
    // Where this pass starts: the whole file first, after an unclosed quote the line after it.
    let start = { line: 1, offset: 0 };
    let batch = new Map<string, PendingRow>();
    const fail = (row: number, message: string) => {
      state.failed++;
      state.processed++;
      const error = { row, message };
      if (state.errors.length < MAX_IMPORT_ERRORS) state.errors.push(error);
      return error;
    };
    const checkHeader = (h: string[]) => {
      if (!h.includes('phone') && !h.includes('email'))
        throw new ImportFileError('The CSV header must have a phone or an email column');
    };
    const flush = async () => {
      if (!batch.size) return;
      const rows = [...batch.values()];
      batch = new Map();
      await this.writeBatch(tenantId, state, rows, fail);
      await this.save(tenantId, state);
    };

    for (;;) {
      const lineBase = start.line - 1;
      // Line 1 is the header.
      let lastLine = Math.max(lineBase, 1);
      let emitted = false;
      let unclosed = false;
      const parser = createReadStream(path, { start: start.offset }).pipe(
        parse({
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
        }),
      );
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
      for await (const { record, info } of parser as AsyncIterable<{
        record: Record<string, string>;
        info: { lines: number };
      }>) {
        if (!emitted && lineBase === 0 && header) checkHeader(header);
        const line = lineBase + info.lines;
        lastLine = Math.max(lastLine, line);
        emitted = true;
        const result = toImportRow(record, defaultCountry);
        if ('error' in result) {
          fail(line, result.error);
          continue;
        }
        const key = result.row.phone ? `p:${result.row.phone}` : `e:${result.row.email}`;
        // The same contact twice in one statement is not allowed by ON CONFLICT: the earlier batch goes first.
        if (batch.has(key) || batch.size >= BATCH_SIZE) await flush();
        batch.set(key, { ...result.row, line });
      }
      await flush();
      if (!header) throw new ImportFileError('The file is empty');
      checkHeader(header);
      if (!unclosed) return;
      // The quote opened on the first non-blank line after the last record read; go on after that line.
      const broken = await findLine(path, lastLine + 1, { nonBlank: true });
      fail(broken.line, 'malformed CSV: a quoted field is never closed; the row was skipped');
      const next = await findLine(path, broken.line + 1, { nonBlank: false });
      if (next.offset < 0) return;
      start = next;
    }
  }

  /** One transaction per batch; a batch that hits a conflict is redone row by row so only that row fails. */
  private async writeBatch(
    tenantId: string,
    state: TContactImport,
    rows: PendingRow[],
    fail: (row: number, message: string) => void,
  ) {
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
    await this.tenantDb.run(async (tx) => {
      for (const g of groups) {
        if (!g.rows.length) continue;
        try {
          const result = await tx.transaction((sp) =>
            this.repo.upsertBatch(sp as TenantTx, tenantId, g.rows, g.key, g.setOptedIn),
          );
          this.count(state, result);
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          for (const row of g.rows) {
            try {
              const result = await tx.transaction((sp) =>
                this.repo.upsertBatch(sp as TenantTx, tenantId, [row], g.key, g.setOptedIn),
              );
              this.count(state, result);
            } catch (rowErr) {
              if (!isUniqueViolation(rowErr)) throw rowErr;
              fail(
                row.line,
                g.key === 'phone' && row.email
                  ? `email: ${row.email} already belongs to another contact`
                  : 'conflicts with another contact',
              );
            }
          }
        }
      }
    });
  }

  private count(state: TContactImport, result: { inserted: boolean }[]) {
    for (const r of result) {
      state.processed++;
      if (r.inserted) state.created++;
      else state.updated++;
    }
  }

  private async save(tenantId: string, state: TContactImport) {
    // Parse errors can be reported ahead of the rows before them.
    state.errors.sort((a, b) => a.row - b.row);
    await this.redis.client.set(stateKey(tenantId, state.id), JSON.stringify(state), 'EX', STATE_TTL_SECONDS);
  }
}

/**
 * Line number and byte offset of line `from` (or of the first non-blank line from there) by scanning for
 * newlines; offset -1 when the file ends first.
 */
async function findLine(
  path: string,
  from: number,
  opts: { nonBlank: boolean },
): Promise<{ line: number; offset: number }> {
  let line = 1;
  let offset = 0;
  let lineStart = 0;
  let blank = true;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
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
