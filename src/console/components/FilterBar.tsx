// A list's filters, kept in the page's address (router.useSearchState): a search box and choices, each labelled.
import { type ReactNode, useEffect, useState } from 'react';

export interface Choice {
  /** The query parameter it sets. */
  name: string;
  label: string;
  options: { value: string; label: string }[];
  /** What choosing nothing means (default: Any). */
  none?: string;
}

interface FilterBarProps {
  label: string;
  search?: { name: string; label: string; placeholder: string };
  choices: Choice[];
  values: URLSearchParams;
  onChange: (changes: Record<string, string | undefined>) => void;
  children?: ReactNode;
}

/** Typing waits this long before the list is asked again. */
const SEARCH_PAUSE_MS = 300;

export function FilterBar({ label, search, choices, values, onChange, children }: FilterBarProps) {
  const [text, setText] = useState(search ? (values.get(search.name) ?? '') : '');
  useEffect(() => {
    if (!search) return;
    const current = values.get(search.name) ?? '';
    if (text === current) return;
    const timer = setTimeout(() => onChange({ [search.name]: text.trim() || undefined }), SEARCH_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [text, search, values, onChange]);
  const active = choices.some((choice) => values.get(choice.name)) || Boolean(search && values.get(search.name));
  return (
    <div className="filters" role="search" aria-label={label}>
      {search && (
        <label className="field grow">
          <span>{search.label}</span>
          <input type="search" placeholder={search.placeholder} value={text} onChange={(event) => setText(event.target.value)} />
        </label>
      )}
      {choices.map((choice) => (
        <label className="field" key={choice.name}>
          <span>{choice.label}</span>
          <select value={values.get(choice.name) ?? ''} onChange={(event) => onChange({ [choice.name]: event.target.value || undefined })}>
            <option value="">{choice.none ?? 'Any'}</option>
            {choice.options.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
      ))}
      {children}
      {active && (
        <button
          type="button"
          className="link"
          onClick={() => {
            setText('');
            onChange(
              Object.fromEntries(
                [...choices.map((choice) => choice.name), ...(search ? [search.name] : [])].map((name) => [name, undefined]),
              ),
            );
          }}
        >
          Clear filters
        </button>
      )}
    </div>
  );
}
