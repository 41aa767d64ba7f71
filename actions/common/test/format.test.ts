import { describe, expect, it } from '@jest/globals';
import { formatBytes, formatDuration, textTable } from '../src/format.js';

describe('formatDuration', () => {
  it('writes hours, minutes and seconds compactly', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(3_723_000)).toBe('1h2m3s');
  });
});

describe('formatBytes', () => {
  it('keeps bytes whole below 1 KiB and uses binary units with one decimal above', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MiB');
    expect(formatBytes(3 * 1024 ** 4)).toBe('3.0 TiB');
    // Past the last unit the number grows instead of running out of units.
    expect(formatBytes(2048 * 1024 ** 4)).toBe('2048.0 TiB');
  });
});

describe('textTable', () => {
  it('pads every column to its widest cell, rules the header and trims line ends', () => {
    expect(
      textTable(
        ['Key', 'Size'],
        [
          ['index.html', '1.2 KiB'],
          ['a.js', ''],
        ],
      ).split('\n'),
    ).toEqual(['Key         Size', '----------  -------', 'index.html  1.2 KiB', 'a.js']);
  });

  it('shows a missing cell as empty and an empty table as its header', () => {
    expect(textTable(['A', 'B'], [['x']]).split('\n')).toEqual(['A  B', '-  -', 'x']);
    expect(textTable(['Name'], [])).toBe('Name\n----');
  });
});
