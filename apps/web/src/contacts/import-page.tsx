import type { TContactImport } from '@orbitdesk/shared';
import { useState } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../api/client';
import { FormAlert } from '../auth/auth-layout';
import { cardClass, inputClass, primaryButton } from '../ui/classes';
import { ErrorState } from '../ui/states';
import { countCsvRecords } from './csv-records';
import { startImport, useImportProgress } from './queries';

function ImportProgress({ started, total }: { started: TContactImport; total: number }) {
  const progress = useImportProgress(started);
  if (progress.isError) return <ErrorState error={progress.error} onRetry={() => void progress.refetch()} />;
  const state = progress.data ?? started;
  const done = state.status !== 'running';
  // The file's own record count is an estimate (the worker may skip malformed lines): never past 100%.
  const percent = done ? 100 : total > 0 ? Math.min(99, Math.round((state.processed / total) * 100)) : 0;
  return (
    <div className="flex flex-col gap-4" data-testid="import-progress" data-status={state.status}>
      <div>
        <div className="mb-1 flex justify-between text-sm">
          <span>
            {state.status === 'running'
              ? 'Importing…'
              : state.status === 'completed'
                ? 'Import finished'
                : 'Import stopped'}
          </span>
          <span data-testid="import-processed">
            {state.processed} of {total} rows
          </span>
        </div>
        <div
          role="progressbar"
          aria-label="Import progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          className="h-2 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
        >
          <div className="h-full bg-brand-600 transition-all" style={{ width: `${percent}%` }} />
        </div>
      </div>
      <dl className="grid grid-cols-3 gap-2 text-center text-sm" data-testid="import-counts">
        {(
          [
            ['Created', state.created],
            ['Updated', state.updated],
            ['Failed', state.failed],
          ] as const
        ).map(([label, value]) => (
          <div key={label} className="rounded-md bg-slate-50 p-2 dark:bg-slate-800">
            <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
            <dd className="text-lg font-semibold" data-testid={`import-${label.toLowerCase()}`}>
              {value}
            </dd>
          </div>
        ))}
      </dl>
      {state.status === 'failed' && <FormAlert message={state.message ?? 'The import stopped'} />}
      {state.errors.length > 0 && (
        <div>
          <h2 className="mb-2 text-sm font-medium">
            Rows not imported
            {state.failed > state.errors.length && ` (first ${state.errors.length} of ${state.failed})`}
          </h2>
          <table className="w-full text-left text-sm" data-testid="import-errors">
            <thead className="text-xs text-slate-500 uppercase dark:text-slate-400">
              <tr>
                <th scope="col" className="py-1 pr-3">
                  Line
                </th>
                <th scope="col" className="py-1">
                  Problem
                </th>
              </tr>
            </thead>
            <tbody>
              {state.errors.map((e) => (
                <tr key={`${e.row}:${e.message}`} className="border-t border-slate-100 dark:border-slate-800">
                  <td className="py-1 pr-3 tabular-nums">{e.row}</td>
                  <td className="py-1">{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {done && (
        <Link to="/contacts" className="text-sm text-brand-600 hover:underline">
          Back to the contacts
        </Link>
      )}
    </div>
  );
}

/** Upload a CSV; the worker imports it in the background while this page polls its progress. */
export function ImportPage() {
  const [file, setFile] = useState<File | null>(null);
  const [country, setCountry] = useState('');
  const [started, setStarted] = useState<{ job: TContactImport; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [uploading, setUploading] = useState(false);

  const onUpload = async () => {
    if (!file) return;
    setError(null);
    setUploading(true);
    try {
      const total = countCsvRecords(await file.text());
      setStarted({ job: await startImport(file, country), total });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not reach the server; check your connection');
    } finally {
      setUploading(false);
    }
  };

  return (
    <div className="h-full overflow-y-auto p-4 sm:p-6">
      <div className={`${cardClass} mx-auto flex max-w-2xl flex-col gap-4 p-6`}>
        <h1 className="text-lg font-semibold">Import contacts</h1>
        {started ? (
          <ImportProgress started={started.job} total={started.total} />
        ) : (
          <form
            className="flex flex-col gap-4"
            onSubmit={(e) => {
              e.preventDefault();
              void onUpload();
            }}
          >
            <p className="text-sm text-slate-600 dark:text-slate-400">
              A UTF-8 CSV with a header row. Columns <code>phone</code>, <code>name</code>, <code>email</code>
              , <code>tags</code> (separated by ; or ,) and <code>opted_in</code>; any other column becomes a
              custom field. Rows are matched by phone, else by email.
            </p>
            <FormAlert message={error} />
            <label className="flex flex-col gap-1 text-sm font-medium">
              CSV file
              <input
                type="file"
                accept=".csv,text/csv"
                className={inputClass}
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              />
            </label>
            <label className="flex flex-col gap-1 text-sm font-medium">
              Country for numbers without +
              <input
                className={`${inputClass} max-w-24`}
                placeholder="US"
                maxLength={2}
                value={country}
                onChange={(e) => setCountry(e.target.value)}
              />
            </label>
            <div className="flex justify-end gap-2">
              <Link
                to="/contacts"
                className="self-center text-sm text-slate-600 hover:underline dark:text-slate-400"
              >
                Cancel
              </Link>
              <button type="submit" className={primaryButton} disabled={!file || uploading}>
                {uploading ? 'Uploading…' : 'Start import'}
              </button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}
