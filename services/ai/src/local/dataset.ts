import { readFileSync } from 'node:fs';
import { MESSAGE_INTENTS, type MessageIntent } from '@orbitdesk/shared';
import { fnv1a } from './text.js';

/*
 * The labelled sets in services/ai/data. They are found relative to this module, which sits in src/local when
 * vitest runs the TypeScript and in dist/local once built: both are two levels below the package root.
 */

export const DATA_DIR = new URL('../../data/', import.meta.url);

export interface LabelledText<L extends string = string> {
  label: L;
  text: string;
}

/** Reads `label<TAB>text` lines; `#` comments, blank lines and the header row are skipped. */
export function readTsv(fileName: string): LabelledText[] {
  const raw = readFileSync(new URL(fileName, DATA_DIR), 'utf8');
  const rows: LabelledText[] = [];
  raw.split(/\r?\n/).forEach((line, index) => {
    if (!line.trim() || line.startsWith('#')) return;
    const tab = line.indexOf('\t');
    if (tab < 0) throw new Error(`${fileName}:${index + 1}: expected label<TAB>text`);
    const label = line.slice(0, tab).trim();
    const text = line.slice(tab + 1).trim();
    if (rows.length === 0 && /^(intent|label|language)$/.test(label) && text === 'text') return;
    if (!text) throw new Error(`${fileName}:${index + 1}: empty text`);
    rows.push({ label, text });
  });
  return rows;
}

export function readIntentExamples(): LabelledText<MessageIntent>[] {
  const known = new Set<string>(MESSAGE_INTENTS);
  return readTsv('intents.tsv').map((row) => {
    if (!known.has(row.label)) throw new Error(`intents.tsv: unknown intent "${row.label}"`);
    return row as LabelledText<MessageIntent>;
  });
}

/** Share of examples held out for evaluation. */
export const HELD_OUT_PERCENT = 20;

/**
 * The split is a hash of the text rather than a shuffle: it never changes between runs or machines, and adding
 * an example moves no other example between train and held-out.
 */
export function isHeldOut(text: string): boolean {
  return fnv1a(text.trim()) % 100 < HELD_OUT_PERCENT;
}

export function splitExamples<T extends LabelledText>(rows: T[]): { train: T[]; heldOut: T[] } {
  const train: T[] = [];
  const heldOut: T[] = [];
  for (const row of rows) (isHeldOut(row.text) ? heldOut : train).push(row);
  return { train, heldOut };
}
