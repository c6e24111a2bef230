/**
 * A small, bounded multipart/form-data reader (RFC 7578) for the one form that uploads files (the brand page).
 * @fastify/multipart is not a dependency; the body is read whole under the route's bodyLimit, then split here.
 * Only what the form needs: text fields (UTF-8) and files (bytes, declared type, file name); no nesting, at most
 * `maxParts` parts, headers up to 8 KiB per part.
 */
export interface MultipartFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface MultipartBody {
  fields: Record<string, string>;
  /** Repeated text fields (checkboxes of one name) in order. */
  lists: Record<string, string[]>;
  files: Record<string, MultipartFile>;
}

export class MultipartError extends Error {}

export function boundaryOf(contentType: string | undefined): string | null {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]) : null;
}

export function parseMultipart(body: Buffer, boundary: string, maxParts = 100): MultipartBody {
  const out: MultipartBody = { fields: Object.create(null), lists: Object.create(null), files: Object.create(null) };
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new MultipartError('no boundary');
  for (let parts = 0; ; parts++) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return out; // closing delimiter
    if (parts >= maxParts) throw new MultipartError('too many parts');
    if (body.subarray(pos, pos + 2).toString() !== '\r\n') throw new MultipartError('bad delimiter line');
    pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0 || headerEnd - pos > 8192) throw new MultipartError('bad part headers');
    const headers = body.subarray(pos, headerEnd).toString('utf8').split('\r\n');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw new MultipartError('unterminated part');
    const data = body.subarray(headerEnd + 4, next);
    pos = next + 2;
    let name: string | null = null;
    let filename: string | null = null;
    let contentType = 'text/plain';
    for (const h of headers) {
      const [key, ...rest] = h.split(':');
      const value = rest.join(':').trim();
      if (key.toLowerCase() === 'content-disposition') {
        name = /(?:^|;)\s*name="([^"]*)"/i.exec(value)?.[1] ?? null;
        filename = /;\s*filename="([^"]*)"/i.exec(value)?.[1] ?? null;
      } else if (key.toLowerCase() === 'content-type') contentType = value.toLowerCase();
    }
    if (!name || name === '__proto__') continue;
    if (filename !== null) {
      // A file input left empty still sends a part with an empty file name and no bytes.
      if (data.length) out.files[name] = { filename, contentType, data: Buffer.from(data) };
      continue;
    }
    const text = data.toString('utf8');
    out.fields[name] = text;
    (out.lists[name] ??= []).push(text);
  }
}
