// CSV for spreadsheet users: RFC 4180 quoting, and cells that would start a formula are neutralised.
export function csvCell(value: unknown): string {
  let text = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row and its line end, so an export can stream row by row. */
export function csvLine(row: readonly unknown[]): string {
  return `${row.map(csvCell).join(',')}\r\n`;
}
