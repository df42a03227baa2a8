/**
 * Counts the data records of a CSV text (header excluded), honouring quoted fields that span lines. The import
 * API reports how many rows it has processed but not how many there are, so the progress bar divides by this.
 */
export function countCsvRecords(text: string): number {
  let records = 0;
  let inQuotes = false;
  let rowHasContent = false;
  for (const ch of text) {
    if (ch === '"') inQuotes = !inQuotes;
    if (!inQuotes && (ch === '\n' || ch === '\r')) {
      if (rowHasContent) records++;
      rowHasContent = false;
    } else if (ch.trim() !== '' || ch === '"') {
      rowHasContent = true;
    }
  }
  if (rowHasContent) records++;
  return Math.max(0, records - 1);
}
