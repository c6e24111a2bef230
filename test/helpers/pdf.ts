import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Renders a PDF with poppler's pdftoppm and decodes the QR code of every page with zbarimg: what a door scanner
 * would read from the printed ticket. One entry per page, in page order.
 */
export async function qrCodesInPdf(pdf: Buffer): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'admit-pdf-'));
  try {
    await writeFile(join(dir, 't.pdf'), pdf);
    await run('pdftoppm', ['-png', '-r', '150', join(dir, 't.pdf'), join(dir, 'page')]);
    const pages = (await readdir(dir)).filter((f) => f.endsWith('.png')).sort();
    const out: string[] = [];
    for (const p of pages) {
      const { stdout } = await run('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', join(dir, p)]);
      out.push(stdout.trim());
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The text of a PDF (pdftotext), for checking what is and is not printed. */
export async function textOfPdf(pdf: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'admit-pdf-'));
  try {
    await writeFile(join(dir, 't.pdf'), pdf);
    const { stdout } = await run('pdftotext', ['-layout', join(dir, 't.pdf'), '-']);
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
