// The console's lists: a real <table> with sortable headers (aria-sort), pages fetched from the API's cursors as
// the admin scrolls or asks for more, and only the rows in view rendered once a list grows long.
import { type ReactNode, useEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  /** The API's sort name for this column, when the API can sort by it. */
  sort?: string;
  className?: string;
}

interface DataTableProps<T> {
  label: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  /** `name` or `-name`, as the API takes it. */
  sort?: string | undefined;
  onSort?: (sort: string) => void;
  total?: { count: number; exact: boolean } | undefined;
  hasMore?: boolean;
  loadingMore?: boolean;
  loadMore?: () => void;
}

/** Rows are about this tall; the virtualiser measures the real ones. */
const ROW_HEIGHT = 44;
/** Below this many rows every row is rendered: nothing to gain, and find-in-page keeps working. */
const VIRTUAL_FROM = 150;

export function DataTable<T>({ label, columns, rows, rowKey, sort, onSort, total, hasMore, loadingMore, loadMore }: DataTableProps<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = rows.length >= VIRTUAL_FROM;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    enabled: virtual,
  });
  const items = virtual ? virtualizer.getVirtualItems() : [];
  const lastShown = virtual ? (items.at(-1)?.index ?? 0) : rows.length - 1;

  // Scrolling near the end of what is loaded fetches the next page.
  useEffect(() => {
    if (virtual && hasMore && !loadingMore && lastShown >= rows.length - 20) loadMore?.();
  }, [virtual, hasMore, loadingMore, lastShown, rows.length, loadMore]);

  const shown = virtual ? items.map((item) => ({ row: rows[item.index]!, index: item.index })) : rows.map((row, index) => ({ row, index }));
  const padTop = virtual ? (items[0]?.start ?? 0) : 0;
  const padBottom = virtual ? virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0) : 0;

  return (
    <div className="table-block">
      <div className={virtual ? 'table-scroll virtual' : 'table-scroll'} ref={scroller} tabIndex={0} role="region" aria-label={label}>
        <table aria-rowcount={total?.exact ? total.count + 1 : -1}>
          <thead>
            <tr>
              {columns.map((column) => {
                const active = sort?.replace(/^-/, '') === column.sort;
                const descending = sort?.startsWith('-') ?? false;
                return (
                  <th
                    key={column.header}
                    scope="col"
                    className={column.className}
                    aria-sort={column.sort && active ? (descending ? 'descending' : 'ascending') : undefined}
                  >
                    {column.sort && onSort ? (
                      <button
                        type="button"
                        className="sort"
                        onClick={() => onSort(active && !descending ? `-${column.sort}` : column.sort!)}
                        aria-label={`${column.header}, sort ${active && !descending ? 'descending' : 'ascending'}`}
                      >
                        {column.header}
                        <span aria-hidden="true" className="sort-mark" data-mark={active ? (descending ? '▼' : '▲') : '↕'} />
                      </button>
                    ) : (
                      column.header
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {padTop > 0 && (
              <tr aria-hidden="true" className="pad">
                <td colSpan={columns.length} style={{ height: padTop }} />
              </tr>
            )}
            {shown.map(({ row, index }) => (
              <tr key={rowKey(row)} aria-rowindex={index + 2} data-index={index} ref={virtual ? virtualizer.measureElement : undefined}>
                {columns.map((column) => (
                  <td key={column.header} className={column.className}>
                    {column.cell(row)}
                  </td>
                ))}
              </tr>
            ))}
            {padBottom > 0 && (
              <tr aria-hidden="true" className="pad">
                <td colSpan={columns.length} style={{ height: padBottom }} />
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <div className="table-foot">
        {total && (
          <span>
            {rows.length.toLocaleString('en')} of{' '}
            {total.exact ? total.count.toLocaleString('en') : `more than ${total.count.toLocaleString('en')}`}
          </span>
        )}
        {hasMore && (
          <button type="button" onClick={loadMore} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        )}
      </div>
    </div>
  );
}
