import type { SocketConfig } from '@whiskeysockets/baileys';
import type { HostLogger } from './host.js';

/** Baileys' logger interface (pino's shape), which the package does not export by name. */
export type ILogger = SocketConfig['logger'];

/**
 * Baileys logs pino-style (`logger.warn({ err, ...context }, 'message')`) and a lot: its debug and info lines
 * (every frame, every sync step) go to the host's debug level, warnings and errors to theirs. Only the message
 * and an error's message are kept; the context objects can hold key material and whole binary nodes.
 */
export function baileysLogger(host: HostLogger, prefix: string): ILogger {
  const line = (obj: unknown, msg?: string) => {
    const err = errorOf(obj);
    const text = msg ?? (typeof obj === 'string' ? obj : err ? '' : 'event');
    return `${prefix} ${text}${err ? `${text ? ': ' : ''}${err}` : ''}`;
  };
  const logger: ILogger = {
    level: 'info',
    child: () => logger,
    trace: () => undefined,
    debug: (obj, msg) => host.debug(line(obj, msg)),
    info: (obj, msg) => host.debug(line(obj, msg)),
    warn: (obj, msg) => host.warn(line(obj, msg)),
    error: (obj, msg) => host.error(line(obj, msg)),
  };
  return logger;
}

function errorOf(obj: unknown): string | undefined {
  if (obj instanceof Error) return obj.message;
  if (typeof obj !== 'object' || obj === null) return undefined;
  const candidate = (obj as { err?: unknown; error?: unknown }).err ?? (obj as { error?: unknown }).error;
  return candidate instanceof Error ? candidate.message : undefined;
}
