import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';

/** A plain TanStack table in the app's style; the platform lists are filtered and paged by the API. */
export function DataTable<T extends { id: string }>({
  data,
  columns,
  testId,
}: {
  data: T[];
  columns: ColumnDef<T>[];
  testId: string;
}) {
  const table = useReactTable({ data, columns, getCoreRowModel: getCoreRowModel(), getRowId: (r) => r.id });
  return (
    <table className="w-full text-left text-sm" data-testid={testId}>
      <thead className="text-xs text-slate-500 uppercase dark:text-slate-400">
        {table.getHeaderGroups().map((group) => (
          <tr key={group.id}>
            {group.headers.map((header) => (
              <th
                key={header.id}
                scope="col"
                className="border-b border-slate-200 px-3 py-2 font-medium whitespace-nowrap dark:border-slate-800"
              >
                {flexRender(header.column.columnDef.header, header.getContext())}
              </th>
            ))}
          </tr>
        ))}
      </thead>
      <tbody>
        {table.getRowModel().rows.map((row) => (
          <tr
            key={row.id}
            data-testid={`${testId}-row`}
            className="border-b border-slate-100 dark:border-slate-800/60"
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
