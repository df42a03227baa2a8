import { KNOWLEDGE_FILE_TYPES } from '@orbitdesk/shared';

export type KnowledgeFileKind = keyof typeof KNOWLEDGE_FILE_TYPES;

const KINDS = Object.keys(KNOWLEDGE_FILE_TYPES) as KnowledgeFileKind[];
const ACCEPTED = 'upload a PDF, DOCX, TXT or CSV file';

export type FileTypeVerdict = { kind: KnowledgeFileKind; mimeType: string } | { error: string };

const startsWith = (data: Buffer, bytes: number[]) => bytes.every((b, i) => data[i] === b);
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/** A BOM-less text file has no NUL bytes; UTF-16 text has a BOM (decodeText reads it). */
function looksLikeText(data: Buffer): boolean {
  if (startsWith(data, [0xff, 0xfe]) || startsWith(data, [0xfe, 0xff])) return true;
  if (startsWith(data, ZIP) || startsWith(data, OLE) || data.subarray(0, 5).toString('latin1') === '%PDF-')
    return false;
  return !data.subarray(0, 64 * 1024).includes(0);
}

/**
 * Which of the accepted types an upload is: its extension names the type and its bytes must agree, so a renamed
 * spreadsheet or image is refused at the door with a reason rather than failing later in the worker.
 */
export function detectKnowledgeFile(fileName: string, data: Buffer): FileTypeVerdict {
  const dot = fileName.lastIndexOf('.');
  const ext = dot > 0 ? fileName.slice(dot + 1).toLowerCase() : '';
  if (!(KINDS as string[]).includes(ext)) {
    return {
      error: ext
        ? `Unsupported file type ".${ext}": ${ACCEPTED}`
        : `The file name has no extension: ${ACCEPTED}`,
    };
  }
  const kind = ext as KnowledgeFileKind;
  const ok = (): FileTypeVerdict => ({ kind, mimeType: KNOWLEDGE_FILE_TYPES[kind] });
  switch (kind) {
    case 'pdf':
      // The PDF header may sit anywhere in the first KiB (after a BOM or junk some generators write).
      return data.subarray(0, 1024).includes('%PDF-')
        ? ok()
        : { error: 'The file is named .pdf but its content is not a PDF' };
    case 'docx':
      if (startsWith(data, OLE)) {
        return { error: 'Legacy Word (.doc) files are not supported: save the document as .docx' };
      }
      // A DOCX is a ZIP package whose main part is word/document.xml (its name is stored uncompressed).
      return startsWith(data, ZIP) && data.includes('word/document.xml')
        ? ok()
        : { error: 'The file is named .docx but its content is not a Word document' };
    case 'txt':
    case 'csv':
      return looksLikeText(data)
        ? ok()
        : { error: `The file is named .${kind} but its content is binary, not text` };
  }
}
