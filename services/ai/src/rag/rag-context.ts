import type { TRagChunk, TRagCitation } from '@orbitdesk/shared';

/**
 * Knowledge as the model reads it: numbered blocks, each naming its source, so the model can cite [n] and we can
 * map every [n] back to the chunk it came from.
 */
export function numberedContext(chunks: TRagChunk[]): string {
  if (chunks.length === 0) return 'Context: (empty: no knowledge matched this question)';
  const blocks = chunks.map((c, i) => `[${i + 1}] Source: ${c.sourceName}\n${c.text.trim()}`);
  return `Context (numbered; cite with [n]):\n\n${blocks.join('\n\n')}`;
}

export const CITATION_RULES =
  'Answer only from the numbered context. After every statement taken from it, cite the block it comes from ' +
  'with its number in square brackets, like [1] or [2][3]. If the context does not contain the answer, say ' +
  'plainly that you do not know and cite nothing; never guess or use outside knowledge.';

/** `[1]`, `[2][3]` and `[1, 4]` all cite; other bracketed text does not. */
const MARKER = /\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g;

/**
 * The chunks an answer cites, in the order first cited, each once. A number outside the context (a model
 * inventing [9] of 3) cites nothing.
 */
export function parseCitations(text: string, chunks: TRagChunk[]): TRagCitation[] {
  const seen = new Set<string>();
  const citations: TRagCitation[] = [];
  for (const match of text.matchAll(MARKER)) {
    for (const part of match[1]!.split(',')) {
      const chunk = chunks[Number.parseInt(part.trim(), 10) - 1];
      if (!chunk || seen.has(chunk.id)) continue;
      seen.add(chunk.id);
      citations.push({ chunkId: chunk.id, sourceId: chunk.sourceId, sourceName: chunk.sourceName });
    }
  }
  return citations;
}
