/**
 * Text from outside (a trace's names, notes and ops, a command-line value, a path) reaches a
 * terminal or a one-line error. Control characters would split the line or drive the terminal
 * (ANSI escapes), and bidirectional overrides would reorder what a reviewer reads; all of them
 * are written JSON-style (`\n`, `\u001b`) instead.
 */
// C0 and C1 controls, DEL, line/paragraph separators, bidi marks, embeddings, overrides and isolates
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** The text with every unsafe character escaped; other characters (and backslashes) unchanged. */
export function oneLine(s: string): string {
  return s.replace(UNSAFE, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The text in double quotes, escaped as a JSON string and made safe as above; very long text is cut. */
export function quote(s: string, max = 200): string {
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  return oneLine(JSON.stringify(cut)) + (s.length > max ? ` (${s.length} characters)` : '');
}
