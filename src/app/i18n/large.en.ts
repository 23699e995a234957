// pattern: Functional Core
// Large inputs: the searchable list that replaces a long select, and the
// import of a text too large to show.
export const enLarge = {
  'combo.count': '{n} options: type to search, ↓ to list them.',
  'combo.none': 'Nothing matches.',
  'combo.more': 'First {shown} of {n} matches: type more to narrow.',
  'combo.all': '{n} matches.',
  'import.pasted': 'Pasted text',
  'import.pasteRefused': 'The browser did not let the page read what was pasted: paste it again.',
  'import.reading': 'Reading the text… {pct} %',
  'import.cancel': 'Stop the import',
  'import.cancelled': 'The import was stopped; nothing changed.',
} as const;
