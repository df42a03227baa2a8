import { Injectable } from '@nestjs/common';
import type { IMessageChannel } from './message-channel.js';

/** Channel type → outbound adapter. Each adapter module registers its adapter when it initialises. */
@Injectable()
export class ChannelRouterService {
  private readonly adapters = new Map<string, IMessageChannel>();

  register(adapter: IMessageChannel): void {
    if (this.adapters.has(adapter.type))
      throw new Error(`two adapters registered for channel type ${adapter.type}`);
    this.adapters.set(adapter.type, adapter);
  }

  /** Undefined when no adapter is installed for the type (a permanent failure for the message). */
  adapterFor(type: string): IMessageChannel | undefined {
    return this.adapters.get(type);
  }
}
