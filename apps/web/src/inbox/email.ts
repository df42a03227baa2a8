/** An email's other recipients (`content.cc`: To and Cc besides the inbox and the sender) as one line. */
export function emailCc(content: Record<string, unknown>): string | undefined {
  const cc = Array.isArray(content.cc) ? content.cc.filter((a): a is string => typeof a === 'string') : [];
  return cc.length ? cc.join(', ') : undefined;
}
