/**
 * Search box of the inspector: by tag (with or without punctuation), keyword, name or value
 * substring, across nested items. Matches are highlighted and their containers expanded.
 * @module inspector/search
 */

/**
 * @typedef {{path: string, expand: string[]}} Match
 */

/**
 * Debounced search: runs `find` after typing pauses, then applies the result to the table.
 * @param {HTMLInputElement} input
 * @param {HTMLElement} status where "N matches" is written
 * @param {function(string): Promise<{matches: Match[], total: number}>} find
 * @param {import('./tag-table.js').TagTable} table
 */
export function wireSearch(input, status, find, table) {
  let timer = 0;
  let generation = 0;
  const run = async () => {
    const query = input.value.trim();
    const mine = ++generation;
    if (!query) {
      table.highlight(new Set());
      status.textContent = '';
      return;
    }
    const result = await find(query);
    if (mine !== generation) return; // a later query won
    table.expandAll(result.matches.flatMap((match) => match.expand));
    table.highlight(new Set(result.matches.map((match) => match.path)));
    status.textContent = `${result.total} match${result.total === 1 ? '' : 'es'}`;
    const first = result.matches[0] && table.byPath.get(result.matches[0].path);
    first?.scrollIntoView({ block: 'nearest' });
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(run, 120);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') { clearTimeout(timer); run(); }
  });
  return { rerun: run };
}
