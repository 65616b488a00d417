import { describe, expect, it } from 'vitest';
import {
  CopyLineSplitter,
  CopyTextEncodingProblem,
  decodeCopyLine,
  encodeCopyLine,
  escapeCopyText,
} from '../../../../src/connectors/postgres/copy-text.js';

describe('COPY text encoding', () => {
  it('escapes backslash, tab, newline and carriage return, and nothing else', () => {
    expect(escapeCopyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(escapeCopyText('\\N')).toBe('\\\\N');
    expect(escapeCopyText('plain "text" \u0001 😀')).toBe('plain "text" \u0001 😀');
  });

  it('writes NULL as \\N and the text "\\N" as an escaped backslash', () => {
    expect(encodeCopyLine(['1', null, '\\N', ''])).toBe('1\t\\N\t\\\\N\t\n');
  });
});

describe('COPY text decoding', () => {
  const line = (text: string) => Buffer.from(text, 'utf8');

  it('tells \\N (NULL) from an empty string and from an escaped \\N', () => {
    expect(decodeCopyLine(line('\\N\t\t\\\\N'))).toEqual([null, '', '\\N']);
  });

  it('decodes the simple escapes \\b \\f \\n \\r \\t \\v \\\\', () => {
    expect(decodeCopyLine(line('\\b\\f\\n\\r\\t\\v\\\\'))).toEqual(['\b\f\n\r\t\v\\']);
  });

  it('decodes octal and hex byte escapes into UTF-8 text', () => {
    // \303\261 and \xc3\xb1 are both the UTF-8 bytes of ñ; \101 is A; \x4 is one hex digit.
    expect(decodeCopyLine(line('\\303\\261|\\xc3\\xb1|\\101|\\x4|\\q'))).toEqual(['ñ|ñ|A|\u0004|q']);
  });

  it('keeps multi-byte characters and empty trailing fields', () => {
    expect(decodeCopyLine(line('😀 𝄞\té\t'))).toEqual(['😀 𝄞', 'é', '']);
  });

  it('refuses bytes that are not UTF-8 but keeps a real U+FFFD', () => {
    expect(decodeCopyLine(line('ok\t\uFFFD'))).toEqual(['ok', '\uFFFD']);
    const bad = Buffer.concat([line('ok\t'), Buffer.from([0xff, 0x41])]);
    expect(() => decodeCopyLine(bad)).toThrow(CopyTextEncodingProblem);
    expect(() => decodeCopyLine(line('ok\t\\377'))).toThrow(CopyTextEncodingProblem);
    // With a list to report them in, bad fields decode with U+FFFD instead (the invalid-text policy).
    const invalid: number[] = [];
    expect(decodeCopyLine(line('ok\tcaf\\351\t\\N'), invalid)).toEqual(['ok', 'caf\uFFFD', null]);
    expect(invalid).toEqual([1]);
  });
});

describe('CopyLineSplitter', () => {
  it('joins lines split across chunks at any byte, including inside a multi-byte character', () => {
    const text = Buffer.from('1\tabc\n2\t😀 long\n3\t\\N\n', 'utf8');
    for (let cut = 1; cut < text.length; cut++) {
      const splitter = new CopyLineSplitter();
      const lines = [...splitter.push(text.subarray(0, cut)), ...splitter.push(text.subarray(cut))];
      expect(lines.map((l) => l.toString('utf8'))).toEqual(['1\tabc', '2\t😀 long', '3\t\\N']);
      expect(splitter.hasPartialLine).toBe(false);
    }
  });

  it('joins a line spread over many one-byte chunks', () => {
    const splitter = new CopyLineSplitter();
    const lines: Buffer[] = [];
    for (const byte of Buffer.from('abcdef\nx', 'utf8')) lines.push(...splitter.push(Buffer.from([byte])));
    expect(lines.map((l) => l.toString())).toEqual(['abcdef']);
    expect(splitter.hasPartialLine).toBe(true);
  });
});

describe('round trip', () => {
  it('decodes what it encodes', () => {
    const fields = ['a\tb', null, '\\N', '', 'line\r\nnext', 'back\\slash', '😀'];
    const encoded = Buffer.from(encodeCopyLine(fields), 'utf8');
    expect(decodeCopyLine(encoded.subarray(0, encoded.length - 1))).toEqual(fields);
  });
});
