import QRCode from 'qrcode';

/**
 * A Y4M video (YUV4MPEG2, 4:2:0) for Chromium's fake camera (--use-file-for-fake-video-capture): each text is
 * shown as a QR code for `framesEach` frames, black on white (U = V = 128: grey scale). The format is a text
 * header and, per frame, "FRAME\n" and the raw Y, U and V planes.
 */
export function qrVideo(texts: string[], o: { width?: number; height?: number; fps?: number; framesEach?: number } = {}): Buffer {
  const W = o.width ?? 640;
  const H = o.height ?? 480;
  const fps = o.fps ?? 10;
  const each = o.framesEach ?? 15;
  const chroma = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${W} H${H} F${fps}:1 Ip A1:1 C420jpeg\n`)];
  for (const text of texts) {
    const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
    const n = qr.modules.size;
    const quiet = 4;
    const scale = Math.floor(Math.min(W, H) / (n + 2 * quiet));
    const size = (n + 2 * quiet) * scale;
    const x0 = Math.floor((W - size) / 2) + quiet * scale;
    const y0 = Math.floor((H - size) / 2) + quiet * scale;
    const y = Buffer.alloc(W * H, 235);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        if (!qr.modules.get(r, c)) continue;
        for (let dy = 0; dy < scale; dy++) y.fill(16, (y0 + r * scale + dy) * W + x0 + c * scale, (y0 + r * scale + dy) * W + x0 + (c + 1) * scale);
      }
    }
    for (let f = 0; f < each; f++) parts.push(Buffer.from('FRAME\n'), y, chroma);
  }
  return Buffer.concat(parts);
}
