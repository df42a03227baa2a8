import { Injectable, Logger } from '@nestjs/common';
import { KNOWLEDGE_FILE_TYPES, KNOWLEDGE_MAX_FILE_BYTES, type TAiProviderConfig } from '@orbitdesk/shared';
import type { Job } from 'bullmq';
import { AiServiceClient, AiServiceError } from '../../common/ai/ai-service.client.js';
import {
  NetworkError,
  ResponseTooLargeError,
  SsrfBlockedError,
  TimeoutError,
  TooManyRedirectsError,
} from '../../common/http-client/http-client.errors.js';
import { SafeHttpClient } from '../../common/http-client/safe-http-client.js';
import type { KnowledgeIngestJobData } from '../../common/queue/knowledge.queue.js';
import { StorageDriver, StorageObjectNotFoundError } from '../../common/storage/storage-driver.js';
import { Database } from '../../db/database.js';
import { AiProviderResolver } from '../ai-settings/ai-provider.resolver.js';
import { csvToText, decodeText, docxToText, KnowledgeSourceError, pdfToText } from './knowledge-extract.js';
import { htmlToText } from './knowledge-html.js';
import { chunkText, cleanText } from './knowledge-text.js';
import { encodeVector } from './knowledge-vector.js';
import {
  KnowledgeRepository,
  type KnowledgeBaseRow,
  type KnowledgeSourceRow,
  type NewChunk,
} from './knowledge.repository.js';

/** Texts per embedding call (the AI service takes up to 256). */
const EMBED_BATCH = 64;
const URL_TIMEOUT_MS = 30_000;
const MIB = 1024 * 1024;

/** Progress milestones written to the source row (0–100). */
const PROGRESS = { started: 5, extracted: 30, chunked: 40, embedded: 95 } as const;

/** By the content type recorded at upload (KNOWLEDGE_FILE_TYPES). */
const FILE_EXTRACTORS: Record<string, (data: Buffer) => string | Promise<string>> = {
  [KNOWLEDGE_FILE_TYPES.pdf]: pdfToText,
  [KNOWLEDGE_FILE_TYPES.docx]: docxToText,
  [KNOWLEDGE_FILE_TYPES.csv]: csvToText,
  [KNOWLEDGE_FILE_TYPES.txt]: (data) => decodeText(data),
};

/** A failure that may pass (the AI service or the URL's server briefly down); its message is shown if it lasts. */
class RetryableSourceError extends Error {}
/** The source row was deleted while its job ran: nothing to write. */
class SourceGone extends Error {}

/** BullMQ counts failed attempts only; this run is the last when no retry would follow its failure. */
const isLastAttempt = (job: Job) => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

interface Extracted {
  text: string;
  /** A page title, used as the name of a URL source that was given none. */
  title?: string | null;
}

/**
 * The `knowledge-ingest` job: source → text → chunks → vectors → stored, with the progress on the source row.
 *
 * Nothing is visible to search until the end: the source's chunks are replaced in one transaction (old ones
 * deleted, new ones inserted, knowledge_bases.index_version bumped), under a lock on the source row. A retried,
 * duplicated or concurrent job of the same source therefore leaves exactly one set of chunks, and a failed
 * re-index leaves the previous chunks searchable.
 */
@Injectable()
export class KnowledgeIngestProcessor {
  private readonly logger = new Logger('KnowledgeIngestProcessor');

  constructor(
    private readonly db: Database,
    private readonly repo: KnowledgeRepository,
    private readonly storage: StorageDriver,
    private readonly http: SafeHttpClient,
    private readonly ai: AiServiceClient,
    private readonly resolver: AiProviderResolver,
  ) {}

  async process(job: Job<KnowledgeIngestJobData>): Promise<void> {
    const { tenantId, sourceId } = job.data;
    const loaded = await this.db.tenantTransaction(tenantId, async (tx) => {
      const source = await this.repo.findSource(tx, sourceId);
      const base = source && (await this.repo.findBase(tx, source.knowledgeBaseId));
      return source && base ? { source, base } : undefined;
    });
    if (!loaded) return;
    const { source, base } = loaded;
    try {
      await this.progress(tenantId, sourceId, {
        status: 'processing',
        progress: PROGRESS.started,
        error: null,
      });
      const extracted = await this.extract(source);
      await this.progress(tenantId, sourceId, { progress: PROGRESS.extracted });
      const texts = chunkText(cleanText(extracted.text));
      if (!texts.length) throw new KnowledgeSourceError('The source has no text to index');
      await this.progress(tenantId, sourceId, { progress: PROGRESS.chunked });
      const chunks = await this.embed(tenantId, sourceId, base, texts);
      await this.store(tenantId, source, chunks, extracted.title);
      this.logger.log(`source ${sourceId}: ${chunks.length} chunks indexed`);
    } catch (err) {
      if (err instanceof SourceGone) return;
      if (!isPermanent(err) && !isLastAttempt(job)) {
        this.logger.warn(
          `source ${sourceId}: attempt ${job.attemptsMade + 1} failed, will retry: ${describe(err)}`,
        );
        throw err;
      }
      if (!isPermanent(err)) this.logger.error({ err }, `source ${sourceId} failed`);
      await this.fail(tenantId, sourceId, describe(err));
    }
  }

  /** For a job BullMQ failed for good without the processor finishing it (it kept stalling). */
  async abandon(data: KnowledgeIngestJobData): Promise<void> {
    await this.fail(
      data.tenantId,
      data.sourceId,
      'Indexing stopped on an internal error; re-index to try again',
    );
  }

  private async fail(tenantId: string, sourceId: string, message: string): Promise<void> {
    await this.db.tenantTransaction(tenantId, async (tx) => {
      const row = await this.repo.findSource(tx, sourceId, { lock: true });
      // A run that already finished (a duplicate job, or a later re-index) keeps its result.
      if (row && row.status !== 'ready') {
        await this.repo.updateSource(tx, sourceId, {
          status: 'failed',
          progress: 0,
          error: message.slice(0, 1000),
        });
      }
    });
  }

  private async progress(
    tenantId: string,
    sourceId: string,
    values: Parameters<KnowledgeRepository['updateSource']>[2],
  ): Promise<void> {
    const row = await this.db.tenantTransaction(tenantId, (tx) =>
      this.repo.updateSource(tx, sourceId, values),
    );
    if (!row) throw new SourceGone();
  }

  private async extract(source: KnowledgeSourceRow): Promise<Extracted> {
    if (source.type === 'URL') return this.fetchUrl(source.url!);
    const data = await this.readStored(source.storageKey);
    if (source.type === 'TEXT') return { text: data.toString('utf8') };
    const extractor = source.mimeType ? FILE_EXTRACTORS[source.mimeType] : undefined;
    if (!extractor) {
      throw new KnowledgeSourceError(`Files of type ${source.mimeType ?? 'unknown'} cannot be indexed`);
    }
    return { text: await extractor(data) };
  }

  private async readStored(key: string | null): Promise<Buffer> {
    if (!key)
      throw new KnowledgeSourceError('The uploaded content is no longer available; add the source again');
    try {
      const { stream } = await this.storage.get(key);
      const parts: Buffer[] = [];
      for await (const part of stream) parts.push(part as Buffer);
      return Buffer.concat(parts);
    } catch (err) {
      if (err instanceof StorageObjectNotFoundError) {
        throw new KnowledgeSourceError('The uploaded content is no longer available; add the source again');
      }
      throw err;
    }
  }

  /** Through SafeHttpClient: private and metadata addresses are refused when the connection is made. */
  private async fetchUrl(url: string): Promise<Extracted> {
    let res;
    try {
      res = await this.http.request(url, {
        timeoutMs: URL_TIMEOUT_MS,
        maxResponseBytes: KNOWLEDGE_MAX_FILE_BYTES,
        headers: {
          accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,application/pdf;q=0.8,*/*;q=0.1',
          'user-agent': 'OrbitDesk-Knowledge/1.0',
        },
      });
    } catch (err) {
      if (err instanceof SsrfBlockedError) throw new KnowledgeSourceError(`blocked: ${err.reason}`);
      if (err instanceof ResponseTooLargeError) {
        throw new KnowledgeSourceError(`The page is larger than ${KNOWLEDGE_MAX_FILE_BYTES / MIB} MiB`);
      }
      if (err instanceof TooManyRedirectsError) {
        throw new KnowledgeSourceError(`The URL redirected more than ${err.maxRedirects} times`);
      }
      if (err instanceof TimeoutError) {
        throw new RetryableSourceError(`The URL did not answer within ${URL_TIMEOUT_MS / 1000} s`);
      }
      if (err instanceof NetworkError)
        throw new RetryableSourceError(`The URL could not be reached: ${err.message}`);
      throw err;
    }
    if (res.status === 429 || res.status >= 500) throw new RetryableSourceError(`URL answered ${res.status}`);
    if (res.status >= 300) throw new KnowledgeSourceError(`URL answered ${res.status}`);
    if (!res.body.length) throw new KnowledgeSourceError('The URL answered with an empty page');

    const header = String([res.headers['content-type']].flat()[0] ?? '');
    const type = header.split(';', 1)[0]!.trim().toLowerCase();
    const charset = /charset\s*=\s*"?([\w-]+)/i.exec(header)?.[1];
    const head = res.body.subarray(0, 512).toString('latin1').trimStart().toLowerCase();
    if (type === 'application/pdf' || (!type && head.startsWith('%pdf-'))) {
      return { text: await pdfToText(res.body) };
    }
    if (
      type === 'text/html' ||
      type === 'application/xhtml+xml' ||
      (!type && (head.startsWith('<!doctype html') || head.startsWith('<html')))
    ) {
      const html = decodeText(res.body, charset ?? metaCharset(res.body));
      return htmlToText(html);
    }
    if (type === 'text/csv') return { text: csvToText(res.body) };
    if (type.startsWith('text/') || !type) return { text: decodeText(res.body, charset) };
    throw new KnowledgeSourceError(
      `The URL answered with ${type}, which cannot be indexed (HTML, plain text or PDF only)`,
    );
  }

  private async embed(
    tenantId: string,
    sourceId: string,
    base: KnowledgeBaseRow,
    texts: string[],
  ): Promise<NewChunk[]> {
    const config: TAiProviderConfig = await this.db.tenantTransaction(tenantId, (tx) =>
      this.resolver.embeddingConfigFor(tx, tenantId, base.embeddingModel),
    );
    const chunks: NewChunk[] = [];
    let dimensions: number | undefined;
    for (let i = 0; i < texts.length; i += EMBED_BATCH) {
      const batch = texts.slice(i, i + EMBED_BATCH);
      const res = await this.ai.embed(tenantId, { provider: config, texts: batch });
      if (res.model !== base.embeddingModel) {
        throw new KnowledgeSourceError(
          `The embedding model answered as ${res.model}, but this knowledge base stores ${base.embeddingModel} vectors`,
        );
      }
      dimensions ??= res.dimensions;
      if (res.vectors.length !== batch.length || res.vectors.some((v) => v.length !== dimensions)) {
        throw new RetryableSourceError(
          'The AI service answered with vectors that do not match the texts sent',
        );
      }
      res.vectors.forEach((v, j) => chunks.push({ seq: i + j, text: batch[j]!, embedding: encodeVector(v) }));
      const done = Math.min(i + EMBED_BATCH, texts.length);
      await this.progress(tenantId, sourceId, {
        progress:
          PROGRESS.chunked + Math.floor(((PROGRESS.embedded - PROGRESS.chunked) * done) / texts.length),
      });
    }
    return chunks;
  }

  private async store(
    tenantId: string,
    source: KnowledgeSourceRow,
    chunks: NewChunk[],
    title: string | null | undefined,
  ): Promise<void> {
    await this.db.tenantTransaction(tenantId, async (tx) => {
      // Serialises concurrent runs of one source; the last to commit wins whole.
      const row = await this.repo.findSource(tx, source.id, { lock: true });
      if (!row) throw new SourceGone();
      await this.repo.replaceChunks(tx, row, chunks);
      await this.repo.updateSource(tx, row.id, {
        status: 'ready',
        progress: 100,
        error: null,
        chunkCount: chunks.length,
        indexedAt: new Date(),
        // A URL source named after its address takes the page's title once it has one.
        ...(row.type === 'URL' && title && row.name === row.url ? { name: title.slice(0, 200) } : {}),
      });
      await this.repo.bumpIndexVersion(tx, row.knowledgeBaseId);
    });
  }
}

/** `<meta charset="…">` or the http-equiv form, in the first KiB of an HTML page. */
function metaCharset(body: Buffer): string | undefined {
  return /<meta[^>]+charset\s*=\s*["']?([\w-]+)/i.exec(body.subarray(0, 1024).toString('latin1'))?.[1];
}

/** The source's content, or a request the AI service refuses (a missing key): another try ends the same way. */
function isPermanent(err: unknown): boolean {
  if (err instanceof KnowledgeSourceError) return true;
  return err instanceof AiServiceError && err.status >= 400 && err.status < 500 && err.status !== 429;
}

/** What the user reads as the source's error. */
function describe(err: unknown): string {
  if (err instanceof KnowledgeSourceError || err instanceof RetryableSourceError) return err.message;
  if (err instanceof AiServiceError) return `Embedding failed: ${err.message}`;
  return 'Indexing stopped on an internal error; re-index to try again';
}
