import { describe, expect, test } from 'vitest';
import { StderrTail } from '../src/stderr-tail.js';

describe('StderrTail', () => {
  test('keeps only the last lines, joins partial lines across chunks, and cuts long lines', () => {
    const tail = new StderrTail({ maxLines: 3, maxLineLength: 10 });
    tail.push('one\ntwo\nthr');
    tail.push('ee\r\nfour\n');
    tail.push('a very long line indeed\nfive');
    expect(tail.lines).toEqual(['four', 'a very lon…', 'five']);
    expect(tail.lastLine).toBe('five');
  });
});
