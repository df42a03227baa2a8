import { RedisAdapter, type RedisAdapterOptions } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { Namespace } from 'socket.io';
import type { RealtimePeers } from './realtime-peers.js';

/**
 * The adapter's subscription handler, private in its typings but a plain prototype method in its code; and its
 * broadcast, as the method it is (`Omit` below would make it a property, which a subclass cannot override).
 */
interface SubscriptionHandler {
  onmessage(pattern: unknown, channel: Buffer | string, msg: Buffer | string): void;
  broadcast(...args: Parameters<RedisAdapter['broadcast']>): void;
}
const Base = RedisAdapter as unknown as new (
  nsp: Namespace,
  pubClient: Redis,
  subClient: Redis,
  opts?: Partial<RedisAdapterOptions>,
) => Omit<RedisAdapter, 'broadcast'> & SubscriptionHandler;

/**
 * The Socket.IO Redis adapter, minus the cost of its own echo. Every broadcast is published to Redis for the other
 * API processes, and Redis hands it back to the publisher too, whose adapter decodes the whole message (payload
 * included) only to find its own uid first and drop it. Here the echo is recognised from its first bytes and dropped
 * before decoding: a broadcast is encoded as `[uid, packet, opts]`, so it starts with the encoding of a three-item
 * array whose first item is this adapter's uid. Messages from other processes (other uids) are decoded and
 * delivered exactly as before.
 *
 * And with `peers`, minus the publish itself while no other API process listens (realtime-peers.ts): the broadcast
 * then goes to this process's sockets only, as a `local` one would.
 */
export class EchoSkippingRedisAdapter extends Base {
  private readonly ownPrefix: Buffer;

  constructor(
    nsp: Namespace,
    pubClient: Redis,
    subClient: Redis,
    opts?: Partial<RedisAdapterOptions>,
    private readonly peers?: RealtimePeers,
  ) {
    super(nsp, pubClient, subClient, opts);
    // `[uid, 0, 0]` encodes as the broadcast's array header and uid followed by one byte per zero; without those
    // two bytes it is the prefix every broadcast of this adapter starts with.
    const probe = Buffer.from(this.parser.encode([this.uid, 0, 0]) as Uint8Array);
    this.ownPrefix = probe.subarray(0, probe.length - 2);
  }

  override broadcast(...[packet, opts]: Parameters<RedisAdapter['broadcast']>): void {
    if (this.peers && !this.peers.othersListening && !opts.flags?.local) {
      super.broadcast(packet, { ...opts, flags: { ...opts.flags, local: true } });
      return;
    }
    super.broadcast(packet, opts);
  }

  override onmessage(pattern: unknown, channel: Buffer | string, msg: Buffer | string): void {
    if (Buffer.isBuffer(msg) && isOwn(msg, this.ownPrefix)) return;
    super.onmessage(pattern, channel, msg);
  }
}

function isOwn(msg: Buffer, prefix: Buffer): boolean {
  return msg.length > prefix.length && msg.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

/**
 * The `adapter` option of a Socket.IO server whose namespaces fan out through Redis without decoding their echo
 * (and, with `peers`, without publishing while no other API process listens): a class Socket.IO instantiates once
 * per namespace.
 */
export function echoSkippingRedisAdapter(
  pubClient: Redis,
  subClient: Redis,
  opts: Partial<RedisAdapterOptions>,
  peers?: RealtimePeers,
): new (nsp: Namespace) => EchoSkippingRedisAdapter {
  return class extends EchoSkippingRedisAdapter {
    constructor(nsp: Namespace) {
      super(nsp, pubClient, subClient, opts, peers);
    }
  };
}
