import type { TContact } from '@orbitdesk/shared';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { FormAlert } from '../auth/auth-layout';
import { cardClass, primaryButton } from '../ui/classes';
import { ErrorState, Spinner } from '../ui/states';
import { useContactDetails, useMergeContacts } from './queries';

function Summary({ contact }: { contact: TContact }) {
  const rows: [string, string][] = [
    ['Phone', contact.phone ?? '—'],
    ['Email', contact.email ?? '—'],
    ['Tags', contact.tags.join(', ') || '—'],
    ...Object.entries(contact.customFields).map(([k, v]): [string, string] => [
      k,
      typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  ];
  return (
    <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
      {rows.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-slate-500 dark:text-slate-400">{label}</dt>
          <dd className="break-all">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * Two contacts become one. The survivor keeps its own values where both have one and gains the other's
 * identities, tags, missing fields and conversations; the other contact is deleted.
 */
export function MergePage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const aId = params.get('a') ?? '';
  const bId = params.get('b') ?? '';
  const a = useContactDetails(aId || undefined);
  const b = useContactDetails(bId || undefined);
  const [survivorId, setSurvivorId] = useState(aId);
  const [error, setError] = useState<string | null>(null);
  const merge = useMergeContacts();

  const body = (() => {
    if (a.isPending || b.isPending) return <Spinner label="Loading the contacts" />;
    if (a.isError) return <ErrorState error={a.error} onRetry={() => void a.refetch()} />;
    if (b.isError) return <ErrorState error={b.error} onRetry={() => void b.refetch()} />;
    const sourceId = survivorId === a.data.id ? b.data.id : a.data.id;
    const onMerge = async () => {
      setError(null);
      try {
        const merged = await merge.mutateAsync({ survivorId, sourceId });
        await navigate(`/contacts/${merged.id}`);
      } catch (err) {
        setError(err instanceof Error ? err.message : 'Merge failed');
      }
    };
    return (
      <>
        <FormAlert message={error} />
        <fieldset className="grid gap-3 sm:grid-cols-2">
          <legend className="mb-2 text-sm text-slate-600 dark:text-slate-400">
            Choose the contact to keep; the other one is merged into it and deleted.
          </legend>
          {[a.data, b.data].map((c) => (
            <label
              key={c.id}
              className={`${cardClass} cursor-pointer p-4 ${survivorId === c.id ? 'ring-2 ring-brand-500' : ''}`}
            >
              <span className="flex items-center gap-2 font-medium">
                <input
                  type="radio"
                  name="survivor"
                  className="accent-brand-600"
                  checked={survivorId === c.id}
                  onChange={() => setSurvivorId(c.id)}
                />
                Keep {c.name ?? c.email ?? c.phone ?? 'this contact'}
              </span>
              <Summary contact={c} />
            </label>
          ))}
        </fieldset>
        <div className="flex justify-end gap-2">
          <Link
            to="/contacts"
            className="self-center text-sm text-slate-600 hover:underline dark:text-slate-400"
          >
            Cancel
          </Link>
          <button
            type="button"
            className={primaryButton}
            disabled={merge.isPending}
            onClick={() => void onMerge()}
          >
            {merge.isPending ? 'Merging…' : 'Merge contacts'}
          </button>
        </div>
      </>
    );
  })();

  return (
    <div className="h-full overflow-y-auto p-4 sm:p-6">
      <div className={`${cardClass} mx-auto flex max-w-3xl flex-col gap-4 p-6`}>
        <h1 className="text-lg font-semibold">Merge contacts</h1>
        {aId && bId && aId !== bId ? (
          body
        ) : (
          <ErrorState error={new Error('Select two different contacts in the list to merge them')} />
        )}
      </div>
    </div>
  );
}
