import { createHash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';

/**
 * Reads the first `bytes` of a stream (for sniffing) and hands back a stream that replays them followed by the
 * rest, so nothing is buffered beyond the head.
 */
export async function readHead(source: Readable, bytes: number): Promise<{ head: Buffer; stream: Readable }> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    chunks.push(next.value);
    length += next.value.length;
  }
  const buffered = Buffer.concat(chunks);
  let pending: Buffer | undefined = buffered.length ? buffered : undefined;
  const stream = new Readable({
    read() {
      if (pending) {
        this.push(pending);
        pending = undefined;
      } else if (ended) {
        this.push(null);
      } else {
        iterator.next().then(
          (next) => this.push(next.done ? null : next.value),
          (err: Error) => this.destroy(err),
        );
      }
    },
    // Also when the replay is dropped before it was read (a failed put): the source must not be left hanging.
    destroy(err, done) {
      Promise.resolve(iterator.return?.()).then(
        () => done(err),
        () => done(err),
      );
    },
  });
  return { head: buffered.subarray(0, bytes), stream };
}

export class TooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`stream is larger than ${maxBytes} bytes`);
  }
}

/** Passes bytes through while counting them and hashing them (SHA-256); fails once more than maxBytes went by. */
export class DigestMeter extends Transform {
  bytes = 0;
  exceeded = false;
  private readonly hash = createHash('sha256');

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      this.exceeded = true;
      done(new TooLargeError(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  /** Hex SHA-256 of everything that passed; call once, after the stream finished. */
  sha256(): string {
    return this.hash.digest('hex');
  }
}
