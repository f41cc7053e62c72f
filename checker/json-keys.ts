/**
 * The first key that appears twice in one object of a JSON text, and its line; null if none.
 * JSON.parse keeps the last silently (`"pid": 0, "pid": 7` is pid 7), and RFC 8259 leaves
 * the meaning open, so a trace with one is refused rather than guessed at. The text must
 * already have parsed as JSON: only strings, brackets and colons are looked at.
 */
export function duplicateKey(text: string): { key: string; line: number } | null {
  const objects: (Set<string> | null)[] = []; // null: an array
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    else if (c === '{') objects.push(new Set());
    else if (c === '[') objects.push(null);
    else if (c === '}' || c === ']') objects.pop();
    else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      let k = j + 1;
      while (k < text.length && (text[k] === ' ' || text[k] === '\t' || text[k] === '\r' || text[k] === '\n')) k++;
      const top = objects.at(-1);
      if (text[k] === ':' && top) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.has(key)) return { key, line };
        top.add(key);
      }
      i = j;
    }
  }
  return null;
}
