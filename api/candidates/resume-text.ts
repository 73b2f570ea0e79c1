// Résumé text from an uploaded PDF or Word file, for HR to check and correct before saving it on the candidate
// (PATCH /v1/candidates/:id with resumeText): the question plan reads that text, never the file, so nothing is
// stored here. PDF text comes from pdf.js (unpdf), DOCX text from mammoth; a scanned PDF has no text to give.
import mammoth from 'mammoth';
import { extractText, getDocumentProxy } from 'unpdf';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { readRawBytes } from '../http/body.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute } from '../http/route.ts';
import { resumeTextMaxLength } from './candidates.schemas.ts';

const pdfType = 'application/pdf';
const docxType = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
export const resumeMaxBytes = 5 * 1024 * 1024;

const resumeTextSchema = z
  .object({
    text: z.string().meta({ description: 'The text, for HR to correct and then save as the candidate\'s resumeText' }),
    pages: z.number().int().optional().meta({ description: 'PDF only' }),
    characters: z.number().int(),
    truncated: z
      .boolean()
      .meta({ description: `The document held more than ${resumeTextMaxLength} characters; the text stops there` }),
  })
  .meta({ id: 'ResumeText' });

function unreadable(detail: string): AppError {
  return new AppError('unreadable_document', detail);
}

/** Blank lines at most two in a row, no trailing spaces, no NUL (Postgres text cannot hold one). */
function tidy(text: string): string {
  return text
    .replace(/\u0000/g, '')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

async function pdfText(bytes: Buffer): Promise<{ text: string; pages: number }> {
  let document;
  try {
    // verbosity 0: pdf.js would print its warnings about damaged files on the API's console.
    document = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
  } catch (error) {
    if (error instanceof Error && error.name === 'PasswordException') {
      throw unreadable('The PDF is password-protected. Remove the password, or paste the text instead.');
    }
    throw unreadable('The file is not a readable PDF.');
  }
  try {
    const { text, totalPages } = await extractText(document, { mergePages: false });
    return { text: tidy(text.join('\n\n')), pages: totalPages };
  } catch {
    throw unreadable('The PDF could not be read to the end.');
  } finally {
    await document.loadingTask.destroy();
  }
}

async function docxText(bytes: Buffer): Promise<string> {
  try {
    return tidy((await mammoth.extractRawText({ buffer: bytes })).value);
  } catch {
    throw unreadable('The file is not a readable Word (.docx) document.');
  }
}

export function resumeTextRoutes(_deps: AppDeps) {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/candidates/resume-text',
      operationId: 'extractResumeText',
      summary: 'The text of a résumé (PDF or DOCX, sent as the raw body) for HR to correct and save on the candidate',
      tags: ['Candidates'],
      auth: 'hr',
      access: 'recruit',
      upload: { mediaTypes: [pdfType, docxType], maxBytes: resumeMaxBytes },
      responses: { 200: { description: 'The text', schema: resumeTextSchema } },
      handler: async ({ ctx }) => {
        const type = ctx.request.type;
        if (type !== pdfType && type !== docxType) {
          throw new AppError(
            'unsupported_media_type',
            `Send the résumé as ${pdfType} or ${docxType} (got ${type || 'no Content-Type'}).`,
          );
        }
        const bytes = await readRawBytes(ctx, resumeMaxBytes);
        if (bytes.length === 0) throw unreadable('The body is empty: send the file itself.');
        const extracted = type === pdfType ? await pdfText(bytes) : { text: await docxText(bytes), pages: undefined };
        if (extracted.text === '') {
          throw unreadable(
            type === pdfType
              ? 'The PDF has no text: it is probably a scan. Paste the text instead.'
              : 'The document has no text.',
          );
        }
        const truncated = extracted.text.length > resumeTextMaxLength;
        const text = truncated ? extracted.text.slice(0, resumeTextMaxLength) : extracted.text;
        return {
          status: 200,
          body: {
            text,
            ...(extracted.pages !== undefined ? { pages: extracted.pages } : {}),
            characters: text.length,
            truncated,
          },
        };
      },
    }),
  ];
}
