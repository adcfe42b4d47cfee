// A capability's definition before and after a change, line by line (jsdiff): its description, then its
// input schema, removed lines marked − and added ones +, so a new instruction hidden in a description stands out.
import { diffLines } from 'diff';
import type { Capability } from '../../shared/inventory.js';

/** What of a definition a person reviews, as text. */
function reviewText(capability: Capability): string {
  const parts = [capability.description ?? '(no description)'];
  if (capability.inputSchema !== undefined) parts.push(`input schema:\n${JSON.stringify(capability.inputSchema, null, 2)}`);
  if (capability.annotations) parts.push(`annotations:\n${JSON.stringify(capability.annotations, null, 2)}`);
  return `${parts.join('\n\n')}\n`;
}

export function DefinitionDiff({ before, after }: { before: Capability; after: Capability }) {
  const parts = diffLines(reviewText(before), reviewText(after));
  return (
    <pre className="diff" aria-label={`Changes to ${after.name}: lines removed are marked minus, lines added plus`}>
      {parts.map((part, index) => {
        const mark = part.added ? '+' : part.removed ? '−' : ' ';
        const lines = part.value.replace(/\n$/, '').split('\n');
        return (
          <span key={index} className={part.added ? 'added' : part.removed ? 'removed' : undefined}>
            {lines.map((line) => `${mark} ${line}\n`).join('')}
          </span>
        );
      })}
    </pre>
  );
}
