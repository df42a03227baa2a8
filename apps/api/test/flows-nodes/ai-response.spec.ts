import { describe, expect, it } from 'vitest';
import { FlowNodeRegistry } from '../../src/modules/flows/engine/flow-node-registry.js';
import { AiResponseNode } from '../../src/modules/flows/nodes/ai/ai-response.node.js';
import {
  FlowAiClient,
  FlowDependencyError,
  type FlowAiReply,
  type FlowAiRequest,
} from '../../src/modules/flows/nodes/ai/flow-ai-client.js';
import { makeNode, makeRunContext } from './context.js';

/**
 * A stand-in for the AI service (the real client is tested in chat-agents-flow-ai.spec.ts): it answers from what
 * it was asked, so the test shows exactly what the node sends and stores.
 */
class RecordingAiClient extends FlowAiClient {
  readonly asked: FlowAiRequest[] = [];
  constructor(private readonly answer: (r: FlowAiRequest) => Promise<FlowAiReply>) {
    super();
  }
  reply(request: FlowAiRequest): Promise<FlowAiReply> {
    this.asked.push(request);
    return this.answer(request);
  }
}

const ctx = makeRunContext({
  message: { id: 'm', type: 'text', text: 'Do you ship to Norway?', content: {} },
  vars: { store: 'Acme' },
});
const AGENT = '3f1c2a9e-7b5d-4c1e-9a2b-0d4e5f6a7b8c';

describe('ai_response node', () => {
  it('fails plainly when a dependency is missing (an unknown agent)', async () => {
    const node = new AiResponseNode(
      new FlowNodeRegistry(),
      new RecordingAiClient(() =>
        Promise.reject(new FlowDependencyError('No AI agent of this workspace has id x')),
      ),
    );
    expect(await node.execute(makeNode('ai_response', { prompt: 'Answer.' }), ctx)).toEqual({
      kind: 'fail',
      error: 'ai_response node ai_response_1: No AI agent of this workspace has id x',
    });
  });

  it('asks with the rendered prompt and the message, and stores the answer', async () => {
    const ai = new RecordingAiClient((r) =>
      Promise.resolve({ text: `Answer to: ${r.message}`, sent: r.sendToContact }),
    );
    const node = new AiResponseNode(new FlowNodeRegistry(), ai);
    const r = await node.execute(
      makeNode('ai_response', {
        prompt: 'You work for {{vars.store}}. Be brief.',
        saveAs: 'answer',
        agentId: AGENT,
      }),
      ctx,
    );
    expect(r).toEqual({
      kind: 'next',
      vars: { answer: 'Answer to: Do you ship to Norway?' },
      output: { text: 'Answer to: Do you ship to Norway?', sent: true },
    });
    expect(ai.asked).toEqual([
      {
        tenantId: ctx.tenantId,
        agentId: AGENT,
        contactId: ctx.contact!.id,
        conversationId: ctx.conversationId,
        prompt: 'You work for Acme. Be brief.',
        message: 'Do you ship to Norway?',
        sendToContact: true,
      },
    ]);
  });

  it('stores in aiResponse by default; a failing service fails the run with its reason', async () => {
    const ok = new AiResponseNode(
      new FlowNodeRegistry(),
      new RecordingAiClient(() => Promise.resolve({ text: 'Yes', sent: false })),
    );
    expect(
      await ok.execute(makeNode('ai_response', { prompt: 'p', sendToContact: false }), ctx),
    ).toMatchObject({
      vars: { aiResponse: 'Yes' },
      output: { sent: false },
    });
    const down = new AiResponseNode(
      new FlowNodeRegistry(),
      new RecordingAiClient(() => Promise.reject(new Error('upstream 503'))),
    );
    const r = await down.execute(makeNode('ai_response', { prompt: 'p' }), ctx);
    expect(r.kind === 'fail' && r.error).toBe(
      'ai_response node ai_response_1: the AI service failed: upstream 503',
    );
  });

  it('in test mode asks nothing; bad settings and a send without a conversation fail', async () => {
    const ai = new RecordingAiClient(() => Promise.resolve({ text: 'x', sent: true }));
    const node = new AiResponseNode(new FlowNodeRegistry(), ai);
    expect(
      await node.execute(makeNode('ai_response', { prompt: 'Help' }), { ...ctx, testMode: true }),
    ).toEqual({
      kind: 'next',
      output: {
        testMode: true,
        wouldAsk: { prompt: 'Help', message: 'Do you ship to Norway?', sendToContact: true },
      },
    });
    const noConversation = await node.execute(
      makeNode('ai_response', { prompt: 'Help' }),
      makeRunContext({ conversationId: null, contact: null }),
    );
    expect(noConversation.kind === 'fail' && noConversation.error).toContain(
      'sendToContact: this run has no conversation',
    );
    const empty = await node.execute(makeNode('ai_response', { prompt: '{{vars.none}}' }), ctx);
    expect(empty.kind === 'fail' && empty.error).toContain('prompt: renders to nothing');
    const bad = await node.execute(makeNode('ai_response', { prompt: 'p', saveAs: 'a b' }), ctx);
    expect(bad.kind === 'fail' && bad.error).toContain('data.saveAs');
    const missing = await node.execute(makeNode('ai_response', {}), ctx);
    expect(missing.kind === 'fail' && missing.error).toContain('data.prompt');
    expect(ai.asked).toEqual([]);
  });
});
