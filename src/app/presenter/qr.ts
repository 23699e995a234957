// pattern: Functional Core
// A QR code as one SVG path: each dark module a 1×1 square, in a viewBox of
// the module count plus the quiet zone the standard asks for (4 modules).
// qrcode-generator (MIT) does the encoding; the drawing is ours, so the page
// adds no markup it did not write.

import qrcode from 'qrcode-generator';

export const QUIET = 4;

export interface QrPicture {
  /** modules per side, without the quiet zone */
  size: number;
  path: string;
}

/** Null when the text does not fit in the largest QR code (version 40, level L). */
export function qrPicture(text: string): QrPicture | null {
  let qr;
  try {
    qr = qrcode(0, 'L');
    qr.addData(text, 'Byte');
    qr.make();
  } catch {
    return null;
  }
  const size = qr.getModuleCount();
  let path = '';
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      if (qr.isDark(r, c)) path += `M${c + QUIET} ${r + QUIET}h1v1h-1z`;
    }
  }
  return { size, path };
}
