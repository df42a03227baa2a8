import type { TKnowledgeBase } from '@orbitdesk/shared';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useCurrentUser } from '../auth/use-session';
import { ConfirmButton } from '../settings/confirm-button';
import { MutationError } from '../settings/settings-ui';
import { cardClass, secondaryButton } from '../ui/classes';
import { plural } from '../ui/format';
import { EmptyState, ErrorState, Spinner } from '../ui/states';
import { AddSourcePanel } from './add-source-panel';
import { KnowledgeBaseForm } from './knowledge-bases-page';
import {
  knowledgeKeys,
  useDeleteKnowledgeBase,
  useKnowledgeBase,
  useKnowledgeSources,
  useReindexKnowledgeBase,
  useUpdateKnowledgeBase,
} from './knowledge-queries';
import { KnowledgeSearch } from './knowledge-search';
import { anyInProgress } from './source-files';
import { SourcesTable } from './sources-table';

function BaseHeader({
  base,
  isAdmin,
  sourceCount,
}: {
  base: TKnowledgeBase;
  isAdmin: boolean;
  sourceCount: number;
}) {
  const navigate = useNavigate();
  const update = useUpdateKnowledgeBase(base.id);
  const remove = useDeleteKnowledgeBase(base.id);
  const reindex = useReindexKnowledgeBase(base.id);
  const [editing, setEditing] = useState(false);

  if (editing)
    return (
      <KnowledgeBaseForm
        base={base}
        onCancel={() => setEditing(false)}
        onSubmit={async (body) => {
          await update.mutateAsync(body);
          setEditing(false);
        }}
      />
    );
  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h1 className="text-xl font-semibold break-words">{base.name}</h1>
          {base.description && (
            <p className="text-sm text-slate-600 dark:text-slate-400">{base.description}</p>
          )}
          <p className="mt-1 text-xs text-slate-500 dark:text-slate-400" data-testid="kb-summary">
            {plural(base.sourceCount, 'source')} · {plural(base.chunkCount, 'chunk')} ·{' '}
            <span className="font-mono">{base.embeddingModel}</span>
          </p>
        </div>
        {isAdmin && (
          <div className="flex flex-wrap gap-2">
            <button type="button" className={secondaryButton} onClick={() => setEditing(true)}>
              Edit
            </button>
            <button
              type="button"
              className={secondaryButton}
              disabled={reindex.isPending || sourceCount === 0}
              onClick={() => reindex.mutate(undefined)}
            >
              {reindex.isPending ? 'Starting…' : 'Re-index all'}
            </button>
            <ConfirmButton
              label="Delete"
              question="Its sources are deleted and agents stop using it."
              confirmLabel="Delete knowledge base"
              pending={remove.isPending}
              onConfirm={() =>
                remove.mutate(undefined, { onSuccess: () => void navigate('/knowledge', { replace: true }) })
              }
            />
          </div>
        )}
      </div>
      <MutationError error={reindex.error ?? remove.error} />
    </div>
  );
}

/** One knowledge base: its sources with live indexing progress, adding sources, and a search test. */
export function KnowledgeBasePage() {
  const { baseId = '' } = useParams();
  const me = useCurrentUser();
  const isAdmin = me.role === 'ADMIN';
  const queryClient = useQueryClient();
  const sources = useKnowledgeSources(baseId);
  const base = useKnowledgeBase(baseId);
  const items = sources.data?.pages.flatMap((p) => p.items) ?? [];
  const inProgress = anyInProgress(items);

  // The base's counts are final only after the last source settles: ask once more at that moment.
  const wasInProgress = useRef(false);
  useEffect(() => {
    if (wasInProgress.current && !inProgress) {
      void queryClient.invalidateQueries({ queryKey: knowledgeKeys.base(baseId) });
      void queryClient.invalidateQueries({ queryKey: knowledgeKeys.list });
    }
    wasInProgress.current = inProgress;
  }, [inProgress, baseId, queryClient]);

  if (base.isPending) return <Spinner label="Loading the knowledge base" />;
  if (base.isError) return <ErrorState error={base.error} onRetry={() => void base.refetch()} />;

  return (
    <div className="flex flex-col gap-4">
      <Link to="/knowledge" className="text-sm text-brand-600 hover:underline dark:text-brand-500">
        ← All knowledge bases
      </Link>
      <BaseHeader base={base.data} isAdmin={isAdmin} sourceCount={items.length} />
      <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_24rem]">
        <div className="flex min-w-0 flex-col gap-4">
          <section className={cardClass} aria-label="Sources">
            {sources.isPending ? (
              <div className="p-6">
                <Spinner label="Loading sources" />
              </div>
            ) : sources.isError ? (
              <ErrorState error={sources.error} onRetry={() => void sources.refetch()} />
            ) : items.length === 0 ? (
              <EmptyState title="No sources yet">
                <p>
                  {isAdmin
                    ? 'Paste text, add a web page or upload files below.'
                    : 'An admin of your workspace can add some.'}
                </p>
              </EmptyState>
            ) : (
              <>
                <SourcesTable baseId={baseId} sources={items} isAdmin={isAdmin} />
                {sources.hasNextPage && (
                  <div className="border-t border-slate-100 p-2 text-center dark:border-slate-800">
                    <button
                      type="button"
                      className={secondaryButton}
                      disabled={sources.isFetchingNextPage}
                      onClick={() => void sources.fetchNextPage()}
                    >
                      Load more
                    </button>
                  </div>
                )}
              </>
            )}
          </section>
          {isAdmin && <AddSourcePanel baseId={baseId} />}
        </div>
        <div>
          <KnowledgeSearch baseId={baseId} />
        </div>
      </div>
    </div>
  );
}
