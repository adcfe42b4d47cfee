// What a page shows while it loads, when its read failed, and when there is nothing yet: never a blank table.
import type { ReactNode } from 'react';
import { ApiError } from '../api/client.js';

export function Loading({ what }: { what: string }) {
  return (
    <p className="state" role="status">
      Loading {what}…
    </p>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const message = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  return (
    <div className="state error" role="alert">
      <p>
        <strong>This could not be loaded.</strong> {message}
      </p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state empty">
      <p>
        <strong>{title}</strong>
      </p>
      {children}
    </div>
  );
}

/** A refused or failed change, in the endpoint's words, beside the control that made it. */
export function ChangeError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="change-error" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}

/** The end of a settings form: what went wrong, that it was saved, and its Save button. */
export function SaveFooter({ error, saved, pending }: { error: unknown; saved: boolean; pending: boolean }) {
  return (
    <>
      <ChangeError error={error} />
      {saved && (
        <p className="saved" role="status">
          Saved. Laptops apply it with their next policy fetch.
        </p>
      )}
      <button type="submit" className="primary" disabled={pending}>
        Save
      </button>
    </>
  );
}

/** A list read's state as a page shows it: loading, its failure with a retry, its empty state, or the list. */
export function ListState({
  read,
  rows,
  what,
  empty,
  children,
}: {
  read: { isPending: boolean; isError: boolean; error: unknown; refetch: () => unknown };
  rows: readonly unknown[];
  what: string;
  empty: ReactNode;
  children: ReactNode;
}) {
  if (read.isPending) return <Loading what={what} />;
  if (read.isError) return <ErrorState error={read.error} retry={() => void read.refetch()} />;
  return <>{rows.length === 0 ? empty : children}</>;
}
