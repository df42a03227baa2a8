import { Injectable } from '@nestjs/common';
import { FlowRunQueue } from '../../flows/queue/flow-queues.js';

/**
 * The trigger_flow tool's way onto `flow-run`: the flows' own producer (same jobs, same options as a manual
 * start), under a token of its own so the flows module's FlowRunQueue stays the only provider of that token.
 */
@Injectable()
export class ToolFlowRunQueue extends FlowRunQueue {}
