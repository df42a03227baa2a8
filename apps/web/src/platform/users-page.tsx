import type { TPlatformUser } from '@orbitdesk/shared';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { inputClass } from '../ui/classes';
import { shortTime } from '../ui/format';
import { DataTable } from './data-table';
import { PagedList } from './paged-list';
import { usePlatformUsers } from './queries';
import { useDebounced } from './use-debounced';

const columns: ColumnDef<TPlatformUser>[] = [
  {
    id: 'name',
    header: 'Name',
    cell: ({ row }) => (
      <div>
        <p className="font-medium">{row.original.name}</p>
        <p className="text-xs text-slate-500 dark:text-slate-400">{row.original.email}</p>
      </div>
    ),
  },
  { id: 'tenant', header: 'Workspace', cell: ({ row }) => row.original.tenantName },
  { id: 'role', header: 'Role', cell: ({ row }) => row.original.role },
  { id: 'active', header: 'Active', cell: ({ row }) => (row.original.isActive ? 'Yes' : 'No') },
  { id: 'createdAt', header: 'Added', cell: ({ row }) => shortTime(row.original.createdAt) },
];

/** The users of every workspace, or of one when opened from its row in the tenants list. */
export function UsersPage() {
  const [params] = useSearchParams();
  const tenantId = params.get('tenantId') ?? '';
  const [search, setSearch] = useState('');
  const users = usePlatformUsers({ tenantId, search: useDebounced(search) });
  const items = users.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <div className="flex flex-wrap items-center gap-2 p-3">
        <input
          type="search"
          aria-label="Search users"
          placeholder="Search name or email…"
          className={`${inputClass} max-w-xs`}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        {tenantId && (
          <Link to="/platform/users" className="text-sm text-brand-600 hover:underline">
            Show every workspace
          </Link>
        )}
      </div>
      <PagedList query={users} count={items.length} what="users">
        <DataTable data={items} columns={columns} testId="platform-users" />
      </PagedList>
    </>
  );
}
