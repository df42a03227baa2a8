import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { coalesceWrites } from '../../common/net/coalesce-writes.js';

/**
 * The WebSocket server behind Socket.IO (its `wsEngine`), with each connection's writes of one turn of the event
 * loop sent together. Events are emitted in bursts: a group-committed batch of inbound messages publishes its
 * `new_message` events in one turn, and Engine.IO sends each as its own frame and each frame is its own `write`
 * system call. Here the socket is corked at its first write and uncorked when that task's microtasks are done,
 * so the frames of that burst leave in one call, in the same order, before the event loop moves on (a
 * `setImmediate` flush would hold them for one more loop iteration, behind whatever I/O it handles).
 */
export class CoalescingWebSocketServer extends WebSocketServer {
  override handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    upgradeHead: Buffer,
    callback: (client: WebSocket, request: IncomingMessage) => void,
  ): void {
    coalesceWrites(socket, 'task');
    super.handleUpgrade(request, socket, upgradeHead, callback);
  }
}

/** The part of an Engine.IO socket that sends: `flush` hands the buffered packets to the transport. */
interface EngineSocket {
  flush(): void;
}

/**
 * Makes an Engine.IO socket hand its packets to the transport once per task: its first packet waits until the
 * current task's synchronous code is done (a microtask), so the packets of one burst go in one `send`. Without
 * it, the first packet of a burst goes at once and marks the WebSocket transport busy until that frame is
 * written; the rest wait for the write's callback and leave in a second `write` system call, after whatever the
 * loop does in between (the HTTP answers of a group-committed batch). Packet order is unchanged.
 */
export function flushOncePerTask(socket: EngineSocket): void {
  const flush = socket.flush.bind(socket);
  let scheduled = false;
  socket.flush = () => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      flush();
    });
  };
}
