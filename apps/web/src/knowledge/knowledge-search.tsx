import { ZKnowledgeSearchRequest } from '@orbitdesk/shared';
import { useState, type FormEvent } from 'react';
import { MutationError } from '../settings/settings-ui';
import { cardClass, inputClass, secondaryButton } from '../ui/classes';
import { EmptyState } from '../ui/states';
import { useSearchKnowledge } from './knowledge-queries';

/** Ask the base a question the way an agent would, and see which passages come back and how they rank. */
export function KnowledgeSearch({ baseId }: { baseId: string }) {
  const search = useSearchKnowledge(baseId);
  const [query, setQuery] = useState('');
  const [error, setError] = useState<string | null>(null);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = ZKnowledgeSearchRequest.safeParse({ query });
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? 'Type a question');
      return;
    }
    setError(null);
    search.mutate(parsed.data.query);
  };

  return (
    <section className={`${cardClass} flex flex-col gap-3 p-4`} aria-label="Test a search">
      <div>
        <h2 className="font-semibold">Test a search</h2>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          The passages an agent would be given for this question, best first.
        </p>
      </div>
      <form onSubmit={onSubmit} className="flex gap-2" noValidate>
        <label htmlFor="kb-search" className="sr-only">
          Question
        </label>
        <input
          id="kb-search"
          className={inputClass}
          placeholder="What is the return policy?"
          value={query}
          aria-invalid={error ? true : undefined}
          onChange={(e) => setQuery(e.target.value)}
        />
        <button type="submit" className={secondaryButton} disabled={search.isPending}>
          {search.isPending ? 'Searching…' : 'Search'}
        </button>
      </form>
      {error && <p className="text-xs text-red-600 dark:text-red-400">{error}</p>}
      <MutationError error={search.error} />
      {search.data &&
        (search.data.hits.length === 0 ? (
          <EmptyState title="Nothing found">
            <p>No passage matches; add a source that answers it.</p>
          </EmptyState>
        ) : (
          <ol className="flex flex-col gap-2" data-testid="search-hits">
            {search.data.hits.map((hit) => (
              <li
                key={hit.chunkId}
                data-testid="search-hit"
                className="rounded-lg border border-slate-200 p-3 text-sm dark:border-slate-700"
              >
                <div className="mb-1 flex flex-wrap items-center justify-between gap-2 text-xs">
                  <span className="font-medium" data-testid="hit-source">
                    {hit.sourceName}
                  </span>
                  <span
                    className="font-mono text-slate-500 dark:text-slate-400"
                    title={`Full-text rank ${hit.textRank ?? '—'}, vector rank ${hit.vectorRank ?? '—'}`}
                    data-testid="hit-score"
                  >
                    score {hit.score.toFixed(4)}
                  </span>
                </div>
                <p className="line-clamp-4 whitespace-pre-wrap text-slate-700 dark:text-slate-300">
                  {hit.text}
                </p>
              </li>
            ))}
          </ol>
        ))}
    </section>
  );
}
