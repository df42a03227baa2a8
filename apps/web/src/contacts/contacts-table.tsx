import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type RowSelectionState,
} from '@tanstack/react-table';
import type { TContact } from '@orbitdesk/shared';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { shortTime } from '../ui/format';
import type { ContactSort } from './filters';

interface Props {
  contacts: TContact[];
  sort: ContactSort;
  onSortChange: (sort: ContactSort) => void;
  selection: RowSelectionState;
  onSelectionChange: (selection: RowSelectionState) => void;
}

const cellText = (value: unknown): string =>
  value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);

/** Every custom field any loaded contact has, in first-seen order, so each gets a column. */
function customFieldKeys(contacts: TContact[]): string[] {
  const keys = new Set<string>();
  for (const c of contacts) for (const key of Object.keys(c.customFields)) keys.add(key);
  return [...keys];
}

function columnsFor(keys: string[]): ColumnDef<TContact>[] {
  return [
    {
      id: 'select',
      header: () => <span className="sr-only">Select</span>,
      cell: ({ row }) => (
        <input
          type="checkbox"
          className="size-4 accent-brand-600"
          aria-label={`Select ${row.original.name ?? row.original.email ?? row.original.phone ?? 'contact'}`}
          checked={row.getIsSelected()}
          onChange={row.getToggleSelectedHandler()}
        />
      ),
    },
    {
      id: 'name',
      header: 'Name',
      cell: ({ row }) => (
        <Link to={`/contacts/${row.original.id}`} className="font-medium text-brand-600 hover:underline">
          {row.original.name ?? 'Unnamed'}
        </Link>
      ),
    },
    { id: 'phone', header: 'Phone', cell: ({ row }) => row.original.phone ?? '' },
    { id: 'email', header: 'Email', cell: ({ row }) => row.original.email ?? '' },
    {
      id: 'tags',
      header: 'Tags',
      cell: ({ row }) => (
        <span className="flex flex-wrap gap-1">
          {row.original.tags.map((t) => (
            <span key={t} className="rounded bg-slate-100 px-1.5 py-0.5 text-xs dark:bg-slate-800">
              {t}
            </span>
          ))}
        </span>
      ),
    },
    ...keys.map((key): ColumnDef<TContact> => ({
      id: `cf:${key}`,
      header: key,
      cell: ({ row }) => cellText(row.original.customFields[key]),
    })),
    { id: 'createdAt', header: 'Created', cell: ({ row }) => shortTime(row.original.createdAt) },
  ];
}

/** The columns the API can sort by; the others keep the server's order. */
const SORTABLE: Record<string, ContactSort> = { name: 'name', createdAt: 'createdAt' };

/**
 * The contacts table. Sorting and paging happen on the server (the list is keyset-paged), so the table only
 * renders rows and reports which sortable header was chosen.
 */
export function ContactsTable({ contacts, sort, onSortChange, selection, onSelectionChange }: Props) {
  const keys = useMemo(() => customFieldKeys(contacts).join('\u0000'), [contacts]);
  const columns = useMemo(() => columnsFor(keys ? keys.split('\u0000') : []), [keys]);
  const table = useReactTable({
    data: contacts,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (c) => c.id,
    state: { rowSelection: selection },
    onRowSelectionChange: (updater) =>
      onSelectionChange(typeof updater === 'function' ? updater(selection) : updater),
  });

  return (
    <table className="w-full text-left text-sm" data-testid="contacts-table">
      <thead className="sticky top-0 bg-slate-50 text-xs text-slate-500 uppercase dark:bg-slate-950 dark:text-slate-400">
        {table.getHeaderGroups().map((group) => (
          <tr key={group.id}>
            {group.headers.map((header) => {
              const sortKey = SORTABLE[header.column.id];
              const label = flexRender(header.column.columnDef.header, header.getContext());
              return (
                <th
                  key={header.id}
                  scope="col"
                  className="border-b border-slate-200 px-3 py-2 font-medium whitespace-nowrap dark:border-slate-800"
                  aria-sort={
                    sortKey && sort === sortKey
                      ? sortKey === 'name'
                        ? 'ascending'
                        : 'descending'
                      : undefined
                  }
                >
                  {sortKey ? (
                    <button
                      type="button"
                      className="uppercase hover:text-slate-900 dark:hover:text-slate-100"
                      onClick={() => onSortChange(sortKey)}
                    >
                      {label} {sort === sortKey ? (sortKey === 'name' ? '↑' : '↓') : ''}
                    </button>
                  ) : (
                    label
                  )}
                </th>
              );
            })}
          </tr>
        ))}
      </thead>
      <tbody>
        {table.getRowModel().rows.map((row) => (
          <tr
            key={row.id}
            data-testid="contact-row"
            className="border-b border-slate-100 hover:bg-slate-50 dark:border-slate-800/60 dark:hover:bg-slate-900"
          >
            {row.getVisibleCells().map((cell) => (
              <td key={cell.id} className="px-3 py-2 align-top">
                {flexRender(cell.column.columnDef.cell, cell.getContext())}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
