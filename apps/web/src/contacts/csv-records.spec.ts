import { describe, expect, it } from 'vitest';
import { countCsvRecords } from './csv-records';

describe('countCsvRecords', () => {
  it('counts data rows without the header, with or without a final newline', () => {
    expect(countCsvRecords('phone,name\n+1555,Ann\n+1556,Bob\n')).toBe(2);
    expect(countCsvRecords('phone,name\r\n+1555,Ann\r\n+1556,Bob')).toBe(2);
  });

  it('skips blank lines and keeps a quoted line break inside one record', () => {
    expect(countCsvRecords('name,note\n\nAnn,"two\nlines"\n\nBob,x\n')).toBe(2);
  });

  it('is zero for a header alone or an empty file', () => {
    expect(countCsvRecords('phone,name\n')).toBe(0);
    expect(countCsvRecords('')).toBe(0);
  });
});
