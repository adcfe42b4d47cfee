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
  /** Filters set by `children` (or elsewhere on the page), which Clear filters clears too. */
  others?: string[];
  children?: ReactNode;
}

/** Typing waits this long before the list is asked again. */
const SEARCH_PAUSE_MS = 300;

export function FilterBar({ label, search, choices, values, onChange, others = [], children }: FilterBarProps) {
  const inAddress = search ? (values.get(search.name) ?? '') : '';
  const [text, setText] = useState(inAddress);
  // The address changed by itself (a link, back, Clear filters): the box shows what the list is filtered by.
  useEffect(() => setText(inAddress), [inAddress]);
  useEffect(() => {
    if (!search || text === inAddress) return;
    const timer = setTimeout(() => onChange({ [search.name]: text.trim() || undefined }), SEARCH_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [text, search, inAddress, onChange]);
  const names = [...choices.map((choice) => choice.name), ...(search ? [search.name] : []), ...others];
  const active = names.some((name) => values.get(name));
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
            onChange(Object.fromEntries(names.map((name) => [name, undefined])));
          }}
        >
          Clear filters
        </button>
      )}
    </div>
  );
}
