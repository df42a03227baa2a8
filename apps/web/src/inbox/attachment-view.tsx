import { useQuery } from '@tanstack/react-query';
import type { TAttachment } from '@orbitdesk/shared';
import { api } from '../api/client';
import { PaperclipIcon } from '../ui/icons';

/**
 * A stored file. Its download URL is signed and short-lived, so it is fetched when shown and refreshed
 * before it expires rather than kept in the message.
 */
export function AttachmentView({ attachmentId, filename }: { attachmentId: string; filename?: string }) {
  const attachment = useQuery({
    queryKey: ['attachment', attachmentId],
    queryFn: ({ signal }) => api<TAttachment>(`/attachments/${attachmentId}`, { signal }),
    staleTime: 2 * 60_000,
  });
  if (attachment.isPending) return <span className="text-xs opacity-70">Loading file…</span>;
  if (attachment.isError) return <span className="text-xs opacity-70">File unavailable</span>;
  const { url, contentType, fileName, size } = attachment.data;
  if (contentType.startsWith('image/')) {
    return (
      <a href={url} target="_blank" rel="noreferrer">
        <img src={url} alt={filename ?? fileName} className="max-h-64 max-w-full rounded-md" />
      </a>
    );
  }
  return (
    <a
      href={url}
      target="_blank"
      rel="noreferrer"
      className="flex items-center gap-2 underline underline-offset-2"
    >
      <PaperclipIcon />
      {filename ?? fileName} <span className="text-xs opacity-70">({Math.ceil(size / 1024)} kB)</span>
    </a>
  );
}
