import { buildAiServer } from '@orbitdesk/ai';

/** The secret startTestApp's config uses (test-app.ts); the AI service must share it. */
export const TEST_INTERNAL_JWT_SECRET = 'test-internal-secret-0123456789abcdef0123';

export interface RunningAiService {
  /** Pass as AI_SERVICE_URL to startTestApp / the worker. */
  url: string;
  close(): Promise<void>;
}

/**
 * The real AI service (services/ai, imported from source) on a loopback port. With the `local` provider it needs
 * no key and no network, so API specs exercise the whole path: API → signed JWT → AI service → local models.
 */
export async function startAiService(opts: { internalJwtSecret?: string } = {}): Promise<RunningAiService> {
  const server = await buildAiServer({
    internalJwtSecret: opts.internalJwtSecret ?? TEST_INTERNAL_JWT_SECRET,
    logLevel: 'silent',
  });
  const address = await server.listen({ host: '127.0.0.1', port: 0 });
  return { url: address, close: () => server.close() };
}
