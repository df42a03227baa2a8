import { KNOWLEDGE_MAX_FILE_BYTES } from '@orbitdesk/shared';
import { describe, expect, it } from 'vitest';
import { anyInProgress, checkKnowledgeFile, formatBytes, KNOWLEDGE_ACCEPT, progressOf } from './source-files';

describe('checkKnowledgeFile', () => {
  it('accepts the four document types in any case, up to the limit', () => {
    expect(KNOWLEDGE_ACCEPT).toBe('.pdf,.docx,.txt,.csv');
    expect(checkKnowledgeFile({ name: 'Guide.PDF', size: 1000 })).toBeNull();
    expect(checkKnowledgeFile({ name: 'faq.txt', size: KNOWLEDGE_MAX_FILE_BYTES })).toBeNull();
  });

  it('refuses other types, empty files and files over the limit, saying why', () => {
    expect(checkKnowledgeFile({ name: 'photo.png', size: 10 })).toMatch(/only PDF, DOCX, TXT, CSV/);
    expect(checkKnowledgeFile({ name: 'README', size: 10 })).toMatch(/only PDF/);
    expect(checkKnowledgeFile({ name: 'empty.txt', size: 0 })).toBe('empty.txt is empty');
    expect(checkKnowledgeFile({ name: 'big.pdf', size: KNOWLEDGE_MAX_FILE_BYTES + 1 })).toBe(
      'big.pdf is 20.0 MB; the limit is 20.0 MB',
    );
  });
});

describe('indexing state', () => {
  it('keeps polling while any source is pending or processing', () => {
    expect(anyInProgress([{ status: 'ready' }, { status: 'processing' }])).toBe(true);
    expect(anyInProgress([{ status: 'pending' }])).toBe(true);
    expect(anyInProgress([{ status: 'ready' }, { status: 'failed' }])).toBe(false);
    expect(anyInProgress([])).toBe(false);
  });

  it('fills the bar from the progress while processing only', () => {
    expect(progressOf({ status: 'pending', progress: 40 })).toBe(0);
    expect(progressOf({ status: 'processing', progress: 40 })).toBe(40);
    expect(progressOf({ status: 'processing', progress: 140 })).toBe(100);
    expect(progressOf({ status: 'ready', progress: 0 })).toBe(100);
  });

  it('formats sizes for people', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2.0 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB');
  });
});
