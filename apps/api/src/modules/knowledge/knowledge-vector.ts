import { endianness } from 'node:os';

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** A vector as stored in knowledge_chunks.embedding: float32, little-endian, whatever the host's byte order. */
export function encodeVector(vector: ArrayLike<number>): Buffer {
  const buf = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) buf.writeFloatLE(vector[i]!, i * 4);
  return buf;
}

export function decodeVector(buf: Buffer): Float32Array {
  const n = buf.length >> 2;
  if (LITTLE_ENDIAN_HOST && buf.byteOffset % 4 === 0) {
    // Copied, so the vector does not pin the driver's row buffer.
    return new Float32Array(buf.buffer, buf.byteOffset, n).slice();
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}
