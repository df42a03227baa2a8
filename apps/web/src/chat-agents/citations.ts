/** Source names cited by a reply, each once, in the order they were cited. */
export function citedSources(
  citations: readonly { sourceId: string; sourceName: string }[],
): { id: string; name: string }[] {
  const seen = new Map<string, string>();
  for (const c of citations) if (!seen.has(c.sourceId)) seen.set(c.sourceId, c.sourceName);
  return [...seen].map(([id, name]) => ({ id, name }));
}
