// A TanStack Table rendered as a plain, captioned HTML table: the managing pages (jobs, results, users, keys,
// webhooks, audit) share it. Rows are data; any link or button sits in a cell, so every row is keyboard-reachable.
import { tableFeatures, useTable, type ColumnDef, type RowData } from '@tanstack/react-table';
import { useMemo, type ReactNode } from 'react';

export const features = tableFeatures({});
export type Columns<Row extends RowData> = ColumnDef<typeof features, Row, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any

export function DataTable<Row extends RowData>({
  caption,
  columns,
  rows,
  busy,
  empty,
  rowKey,
  onRowClick,
}: {
  caption: string;
  columns: Columns<Row>;
  rows: Row[] | undefined;
  busy?: boolean;
  /** Shown under the header when there are no rows (and the rows have loaded). */
  empty: ReactNode;
  rowKey: (row: Row) => string;
  /** A click anywhere on a row (outside its links) opens it; the row's own link stays the keyboard's way in. */
  onRowClick?: (row: Row) => void;
}) {
  const none = useMemo<Row[]>(() => [], []);
  const table = useTable({ features, columns, data: rows ?? none, getRowId: rowKey });
  return (
    <div className="hr-table-wrap">
      <table className="hr-table" aria-busy={busy}>
        <caption className="hr-visually-hidden">{caption}</caption>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col">
                  <table.FlexRender header={header} />
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr
              key={row.id}
              className={onRowClick ? 'hr-row-link' : undefined}
              onClick={
                onRowClick &&
                ((event) => {
                  if ((event.target as HTMLElement).closest('a, button')) return;
                  onRowClick(row.original);
                })
              }
            >
              {row.getAllCells().map((cell) => (
                <td key={cell.id}>
                  <table.FlexRender cell={cell} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows && rows.length === 0 && (
        <p role="status" className="hr-empty">
          {empty}
        </p>
      )}
    </div>
  );
}
