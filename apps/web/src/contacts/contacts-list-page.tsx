import type { RowSelectionState } from '@tanstack/react-table';
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { FormAlert } from '../auth/auth-layout';
import { inputClass, primaryButton, secondaryButton } from '../ui/classes';
import { EmptyState, ErrorState, Spinner } from '../ui/states';
import { useInView } from '../ui/use-in-view';
import { ContactsTable } from './contacts-table';
import { downloadFile } from './download';
import { listQuery, readFilters, splitTags, writeFilters, type ContactFilters } from './filters';
import { useContactList } from './queries';

/** Waits for a pause in typing before `onSettle`, so the list is not refetched on every key. */
function useSettled(value: string, current: string, onSettle: (v: string) => void) {
  useEffect(() => {
    if (value === current) return;
    const timer = setTimeout(() => onSettle(value), 300);
    return () => clearTimeout(timer);
  }, [value, current, onSettle]);
}

/** The contacts: search, tag filter, sort, pages loaded on demand, and the way to import, export and merge. */
export function ContactsListPage() {
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const navigate = useNavigate();
  const [q, setQ] = useState(filters.q);
  const [tags, setTags] = useState(filters.tags.join(', '));
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [exportError, setExportError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);

  const change = useCallback(
    (next: Partial<ContactFilters>) =>
      setParams(writeFilters({ ...readFilters(params), ...next }), { replace: true }),
    [params, setParams],
  );
  useSettled(
    q,
    filters.q,
    useCallback((v: string) => change({ q: v }), [change]),
  );
  useSettled(
    tags,
    filters.tags.join(', '),
    useCallback((v: string) => change({ tags: splitTags(v) }), [change]),
  );

  const list = useContactList(filters);
  const canLoadMore = list.hasNextPage && !list.isFetchingNextPage;
  const loadMore = () => {
    if (canLoadMore) void list.fetchNextPage();
  };
  const sentinel = useInView<HTMLDivElement>(loadMore, canLoadMore);
  const contacts = list.data?.pages.flatMap((p) => p.items) ?? [];
  const selected = Object.keys(selection).filter((id) => selection[id]);

  const onExport = async () => {
    setExportError(null);
    setExporting(true);
    try {
      await downloadFile('/contacts/export', listQuery(filters), 'contacts.csv');
    } catch (err) {
      setExportError(err instanceof Error ? err.message : 'Export failed');
    } finally {
      setExporting(false);
    }
  };

  return (
    <div className="flex h-full flex-col">
      <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 p-3 dark:border-slate-800">
        <h1 className="mr-2 text-lg font-semibold">Contacts</h1>
        <input
          type="search"
          aria-label="Search contacts"
          placeholder="Search name, email or phone…"
          className={`${inputClass} max-w-xs`}
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <input
          aria-label="Filter by tags"
          placeholder="Tags, e.g. vip, lead"
          className={`${inputClass} max-w-48`}
          value={tags}
          onChange={(e) => setTags(e.target.value)}
        />
        <div className="ml-auto flex flex-wrap gap-2">
          <button
            type="button"
            className={secondaryButton}
            disabled={selected.length !== 2}
            title="Select two contacts to merge them"
            onClick={() => void navigate(`/contacts/merge?a=${selected[0]}&b=${selected[1]}`)}
          >
            Merge selected
          </button>
          <button
            type="button"
            className={secondaryButton}
            disabled={exporting}
            onClick={() => void onExport()}
          >
            {exporting ? 'Exporting…' : 'Export CSV'}
          </button>
          <Link to="/contacts/import" className={secondaryButton}>
            Import CSV
          </Link>
          <Link to="/contacts/new" className={primaryButton}>
            New contact
          </Link>
        </div>
      </div>
      {exportError && (
        <div className="p-3">
          <FormAlert message={exportError} />
        </div>
      )}
      <div className="min-h-0 flex-1 overflow-auto">
        {list.isPending ? (
          <div className="p-6 text-center">
            <Spinner label="Loading contacts" />
          </div>
        ) : list.isError ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : contacts.length === 0 ? (
          <EmptyState title="No contacts">
            {filters.q || filters.tags.length ? 'Nothing matches these filters.' : 'Add one or import a CSV.'}
          </EmptyState>
        ) : (
          <ContactsTable
            contacts={contacts}
            sort={filters.sort}
            onSortChange={(sort) => change({ sort })}
            selection={selection}
            onSelectionChange={setSelection}
          />
        )}
        {list.hasNextPage && (
          <div ref={sentinel} className="p-3 text-center">
            <button type="button" className={secondaryButton} onClick={loadMore} disabled={!canLoadMore}>
              {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </button>
          </div>
        )}
      </div>
    </div>
  );
}
