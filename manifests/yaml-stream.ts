/**
 * A YAML stream as documents, read in blocks and split on its marker lines, each with the line it starts on; and
 * byte ranges of a large stream that each hold whole documents, for reading them in parallel.
 */
import * as fs from 'fs';
import { StringDecoder } from 'string_decoder';

/** Part of a file, in bytes: [start, end). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** One YAML document of a stream: its text and the line (1-based) its text starts on. */
export interface RawDocument {
  readonly text: string;
  readonly line: number;
}

/** A line that starts (`---`) or ends (`...`) a document: the only lines that may do so, whatever they are inside. */
const MARKER = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm;
const AT_MARKER = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/;
/** A line with nothing a parser reads as content: blank, a comment, or a directive (`%YAML 1.2`). */
const NOTHING = /^(?:[ \t]*(?:#.*)?|%.*)\r?$/;

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * The index of the first line in text[from, to) with content (a marker line counts by what follows the marker),
 * or -1. Stops at the first such line, so a document costs a line or two, not a scan.
 */
export function firstContentLine(text: string, from: number, to: number): number {
  for (let at = from, i = 0; at < to; i++) {
    const eol = text.indexOf('\n', at);
    const end = eol === -1 || eol >= to ? to : eol;
    let line = text.slice(at, end);
    if (AT_MARKER.test(line)) line = line.slice(3);
    if (!NOTHING.test(line)) return i;
    at = end + 1;
  }
  return -1;
}

/**
 * The documents of a YAML stream, split on its `---` and `...` marker lines while the file is read in blocks, so
 * no more than one block and one document are held at a time, and each document keeps its line in the file.
 * Comments and directives before a `---` stay with the document they precede; documents without content are
 * dropped. A JSON file is one document. Returns the line after the last (1 + the number of line ends read).
 */
export function* yamlDocuments(file: string, blockSize = 1 << 20, range?: ByteRange): Generator<RawDocument, number> {
  const fd = fs.openSync(file, 'r');
  let position = range?.start ?? 0;
  const end = range?.end ?? Infinity;
  try {
    const decoder = new StringDecoder('utf8');
    const block = Buffer.allocUnsafe(blockSize);
    let pending = '';
    let pendingLine = 1;
    for (let first = true; ; first = false) {
      const read = fs.readSync(fd, block, 0, Math.max(0, Math.min(blockSize, end - position)), position);
      position += read;
      const eof = read === 0;
      let text = pending + (eof ? decoder.end() : decoder.write(block.subarray(0, read)));
      if (first && position === read && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      // Only whole lines can be split: a marker must be seen with the rest of its line.
      const complete = eof ? text.length : text.lastIndexOf('\n') + 1;
      let start = 0;
      let line = pendingLine;
      const cut = function* (end: number, last: boolean): Generator<RawDocument> {
        if (firstContentLine(text, start, end) !== -1) yield { text: text.slice(start, end), line };
        else if (!last && !AT_MARKER.test(text.slice(start, start + 4))) return false; // comments before a `---`
        line += countLines(text, start, end);
        start = end;
        return true;
      };
      MARKER.lastIndex = 0;
      for (let m = MARKER.exec(text); m !== null && m.index < complete; m = MARKER.exec(text)) {
        if (m[0] === '---') yield* cut(m.index, false);
        else {
          const eol = text.indexOf('\n', m.index);
          yield* cut(eol === -1 ? text.length : eol + 1, true);
        }
        if (MARKER.lastIndex < start) MARKER.lastIndex = start;
      }
      if (eof) {
        yield* cut(text.length, true);
        return line;
      }
      pending = text.slice(start);
      pendingLine = line;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Byte ranges of about equal size that each start on a `---` line (not one after a directive), so each is a
 * stream of whole documents. Fewer ranges when the file has fewer markers.
 */
export function splitAtDocuments(file: string, size: number, parts: number): ByteRange[] {
  const fd = fs.openSync(file, 'r');
  try {
    const cuts = [0];
    const window = Buffer.allocUnsafe(64 << 10);
    for (let i = 1; i < parts; i++) {
      let from = Math.max(Math.floor((size * i) / parts), cuts[cuts.length - 1] + 1);
      let cut: number | undefined;
      while (cut === undefined && from < size) {
        const read = fs.readSync(fd, window, 0, window.length, from - 1);
        const text = window.subarray(0, read);
        for (let at = text.indexOf('\n---'); at !== -1; at = text.indexOf('\n---', at + 1)) {
          const after = text[at + 4];
          if (at + 4 < read && after !== 0x20 && after !== 0x09 && after !== 0x0d && after !== 0x0a) continue;
          if (at + 4 >= read && from - 1 + read < size) break; // the line goes on past the window
          const lineStart = text.lastIndexOf('\n', at - 1) + 1;
          if (lineStart > 0 && text[lineStart] === 0x25 /* % */) continue;
          cut = from - 1 + at + 1;
          break;
        }
        if (cut === undefined) from += Math.max(1, read - 8);
      }
      if (cut === undefined || cut >= size) break;
      cuts.push(cut);
    }
    return cuts.map((start, i) => ({ start, end: cuts[i + 1] ?? size }));
  } finally {
    fs.closeSync(fd);
  }
}
