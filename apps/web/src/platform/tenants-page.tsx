import { TENANT_STATUSES, type TenantStatus, type TTenant } from '@orbitdesk/shared';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { compactSelectClass, inputClass } from '../ui/classes';
import { shortTime } from '../ui/format';
import { DataTable } from './data-table';
import { PagedList } from './paged-list';
import { useTenants } from './queries';
import { TenantActions } from './tenant-actions';
import { useDebounced } from './use-debounced';

const STATUS_STYLE: Record<TenantStatus, string> = {
  PENDING: 'bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-200',
  ACTIVE: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200',
  REJECTED: 'bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300',
  SUSPENDED: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200',
};

const columns: ColumnDef<TTenant>[] = [
  {
    id: 'name',
    header: 'Workspace',
    cell: ({ row }) => (
      <div>
        <p className="font-medium">{row.original.name}</p>
        <p className="text-xs text-slate-500 dark:text-slate-400">{row.original.slug}</p>
      </div>
    ),
  },
  {
    id: 'status',
    header: 'Status',
    cell: ({ row }) => (
      <div>
        <span
          data-testid="tenant-status"
          className={`rounded px-1.5 py-0.5 text-xs font-medium ${STATUS_STYLE[row.original.status]}`}
        >
          {row.original.status}
        </span>
        {row.original.statusReason && (
          <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">{row.original.statusReason}</p>
        )}
      </div>
    ),
  },
  { id: 'createdAt', header: 'Registered', cell: ({ row }) => shortTime(row.original.createdAt) },
  {
    id: 'users',
    header: 'Users',
    cell: ({ row }) => (
      <Link to={`/platform/users?tenantId=${row.original.id}`} className="text-brand-600 hover:underline">
        View users
      </Link>
    ),
  },
  { id: 'actions', header: 'Actions', cell: ({ row }) => <TenantActions tenant={row.original} /> },
];

/** Every workspace on the platform, newest first, with the decisions its status allows. */
export function TenantsPage() {
  const [params, setParams] = useSearchParams();
  const raw = params.get('status');
  const status = TENANT_STATUSES.find((s) => s === raw) ?? '';
  const [search, setSearch] = useState('');
  const tenants = useTenants({ status, search: useDebounced(search) });
  const items = tenants.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <div className="flex flex-wrap gap-2 p-3">
        <input
          type="search"
          aria-label="Search workspaces"
          placeholder="Search name or slug…"
          className={`${inputClass} max-w-xs`}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <select
          aria-label="Status"
          className={compactSelectClass}
          value={status}
          onChange={(e) => setParams(e.target.value ? { status: e.target.value } : {}, { replace: true })}
        >
          <option value="">All statuses</option>
          {TENANT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s.charAt(0) + s.slice(1).toLowerCase()}
            </option>
          ))}
        </select>
      </div>
      <PagedList query={tenants} count={items.length} what="workspaces">
        <DataTable data={items} columns={columns} testId="tenants" />
      </PagedList>
    </>
  );
}
