/**
 * Case- and accent-folding for search. Neither MongoDB collation nor `$text` is available on every
 * server we run on (DESIGN.md), so products keep a folded copy of their name and searches are folded
 * the same way: "Café" and "cafe" both become "cafe".
 */

/** Lower-case, accents removed (ñ becomes n), runs of whitespace collapsed, trimmed. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Escapes a string for use as a literal inside a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
