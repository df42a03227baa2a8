import type { ComponentType } from 'react';
import type { KnowledgeSourceType, TKnowledgeSource } from '@orbitdesk/shared';
import { ConfirmButton } from '../settings/confirm-button';
import { Badge, DataTable, MutationError, tdClass } from '../settings/settings-ui';
import { secondaryButton } from '../ui/classes';
import { fullTime, shortTime } from '../ui/format';
import { FileIcon, LinkIcon, TextIcon } from '../ui/icons';
import { useDeleteKnowledgeSource, useReindexKnowledgeSource } from './knowledge-queries';
import { formatBytes, progressOf } from './source-files';

const TYPE_ICONS: Record<KnowledgeSourceType, { icon: ComponentType; label: string }> = {
  FILE: { icon: FileIcon, label: 'File' },
  URL: { icon: LinkIcon, label: 'Web page' },
  TEXT: { icon: TextIcon, label: 'Text' },
};

const STATUS: Record<
  TKnowledgeSource['status'],
  { tone: 'green' | 'red' | 'amber' | 'slate'; label: string }
> = {
  pending: { tone: 'slate', label: 'Waiting' },
  processing: { tone: 'amber', label: 'Indexing' },
  ready: { tone: 'green', label: 'Ready' },
  failed: { tone: 'red', label: 'Failed' },
};

function StatusCell({ source }: { source: TKnowledgeSource }) {
  const status = STATUS[source.status];
  const busy = source.status === 'pending' || source.status === 'processing';
  const percent = progressOf(source);
  return (
    <div className="flex min-w-32 flex-col gap-1">
      <span data-testid="source-status" data-status={source.status}>
        <Badge tone={status.tone}>{status.label}</Badge>
      </span>
      {busy && (
        <div
          role="progressbar"
          aria-label={`Indexing ${source.name}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          className="h-1.5 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
        >
          <div
            className={`h-full bg-brand-600 transition-all ${source.status === 'pending' ? 'animate-pulse' : ''}`}
            style={{ width: `${Math.max(percent, 4)}%` }}
          />
        </div>
      )}
      {source.error && (
        <p className="text-xs break-words text-red-600 dark:text-red-400" data-testid="source-error">
          {source.error}
        </p>
      )}
    </div>
  );
}

/** A base's sources with their indexing state; admins re-index or delete each one. */
export function SourcesTable({
  baseId,
  sources,
  isAdmin,
}: {
  baseId: string;
  sources: TKnowledgeSource[];
  isAdmin: boolean;
}) {
  const reindex = useReindexKnowledgeSource(baseId);
  const remove = useDeleteKnowledgeSource(baseId);
  return (
    <>
      <MutationError error={reindex.error ?? remove.error} />
      <DataTable
        columns={[
          { label: 'Type', hidden: true },
          'Source',
          'Status',
          { label: 'Chunks', numeric: true },
          'Indexed',
          isAdmin && { label: 'Actions', hidden: true },
        ]}
      >
        {sources.map((s) => {
          const type = TYPE_ICONS[s.type];
          const Icon = type.icon;
          return (
            <tr key={s.id} data-testid="source-row" data-source-name={s.name}>
              <td className={`${tdClass} text-slate-500 dark:text-slate-400`} title={type.label}>
                <Icon />
                <span className="sr-only">{type.label}</span>
              </td>
              <td className={`${tdClass} max-w-80`}>
                <p className="font-medium break-words">{s.name}</p>
                {s.url && s.url !== s.name && (
                  <a
                    href={s.url}
                    target="_blank"
                    rel="noreferrer"
                    className="block truncate text-xs text-brand-600 hover:underline dark:text-brand-500"
                  >
                    {s.url}
                  </a>
                )}
                {s.sizeBytes !== null && (
                  <p className="text-xs text-slate-500 dark:text-slate-400">{formatBytes(s.sizeBytes)}</p>
                )}
              </td>
              <td className={tdClass}>
                <StatusCell source={s} />
              </td>
              <td className={`${tdClass} text-right tabular-nums`} data-testid="source-chunks">
                {s.chunkCount}
              </td>
              <td className={`${tdClass} text-slate-500`}>
                {s.indexedAt ? (
                  <time dateTime={s.indexedAt} title={fullTime(s.indexedAt)}>
                    {shortTime(s.indexedAt)}
                  </time>
                ) : (
                  '—'
                )}
              </td>
              {isAdmin && (
                <td className={`${tdClass} text-right whitespace-nowrap`}>
                  <span className="inline-flex justify-end gap-2">
                    <button
                      type="button"
                      className={`${secondaryButton} py-1`}
                      disabled={s.status === 'pending' || s.status === 'processing' || reindex.isPending}
                      onClick={() => reindex.mutate(s.id)}
                    >
                      Re-index
                    </button>
                    <ConfirmButton
                      label="Delete"
                      question="Agents stop answering from it."
                      confirmLabel="Delete source"
                      pending={remove.isPending}
                      onConfirm={() => remove.mutate(s.id)}
                    />
                  </span>
                </td>
              )}
            </tr>
          );
        })}
      </DataTable>
    </>
  );
}
