// Prompt cleanup done before CLIP's BPE, as OpenAI CLIP's basic_clean + whitespace_clean.
// ftfy.fix_text is approximated by the steps that change typed or pasted prompts (ligatures,
// full-width forms, curly quotes, control characters, NFC); mojibake repair is left out.

const LIGATURES: Record<string, string> = {
  'Ĳ': 'IJ', 'ĳ': 'ij', 'ﬀ': 'ff', 'ﬁ': 'fi', 'ﬂ': 'fl', 'ﬃ': 'ffi', 'ﬄ': 'ffl', 'ﬅ': 'ſt', 'ﬆ': 'st',
};
const LIGATURE_RE = /[Ĳĳﬀ-ﬆ]/g;
// ftfy's width map: U+3000 becomes a space, other half/full-width forms their NFKC equivalent.
const WIDTH_RE = /[\u3000\uff01-\uffef]/g;
const CONTROL_RE =
  /[\u0000-\u0008\u000b\u000e-\u001f\u007f\u206a-\u206f\ufeff\ufff9-\ufffc\u{1d173}-\u{1d17a}\u{e0000}-\u{e007f}]/gu;
const WHITESPACE_RE = /\p{White_Space}+/gu;

function ftfyLite(text: string): string {
  return text
    .replace(LIGATURE_RE, (c) => LIGATURES[c] ?? c)
    .replace(WIDTH_RE, (c) => (c === '\u3000' ? ' ' : c.normalize('NFKC')))
    .replace(/[\u2018-\u201b]/g, "'")
    .replace(/[\u201c-\u201f]/g, '"')
    .replace(CONTROL_RE, '')
    .normalize('NFC');
}

// Python's html.unescape for numeric references and the common named ones; other names stay as written.
const NAMED: Record<string, string> = {
  'amp;': '&', amp: '&', 'lt;': '<', lt: '<', 'gt;': '>', gt: '>', 'quot;': '"', quot: '"',
  'apos;': "'", 'nbsp;': '\u00a0', nbsp: '\u00a0',
};
// Python maps references to 0x80..0x9f through windows-1252 (html._invalid_charrefs).
const CP1252 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const CHARREF_RE = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g;

function numericRef(num: number): string {
  if (num === 0) return '\ufffd';
  if (num === 0x0d) return '\r';
  if (num >= 0x80 && num <= 0x9f) return CP1252[num - 0x80];
  if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return '\ufffd';
  const invalid =
    (num >= 0x1 && num <= 0x8) || num === 0xb || (num >= 0xe && num <= 0x1f) || num === 0x7f ||
    (num >= 0xfdd0 && num <= 0xfdef) || (num & 0xfffe) === 0xfffe;
  return invalid ? '' : String.fromCodePoint(num);
}

function htmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHARREF_RE, (_, s: string) => {
    if (s[0] === '#') {
      const hex = s[1] === 'x' || s[1] === 'X';
      const digits = s.slice(hex ? 2 : 1).replace(/;$/, '');
      return numericRef(parseInt(digits, hex ? 16 : 10));
    }
    if (s in NAMED) return NAMED[s];
    // Longest known prefix, as the HTML5 rules for names without a semicolon.
    for (let x = s.length - 1; x > 1; x--) {
      const head = s.slice(0, x);
      if (head in NAMED) return NAMED[head] + s.slice(x);
    }
    return '&' + s;
  });
}

/** CLIP's text normalisation before lowercasing: fix, unescape HTML twice, collapse whitespace, trim. */
export function cleanText(text: string): string {
  const basic = htmlUnescape(htmlUnescape(ftfyLite(text))).trim();
  return basic.replace(WHITESPACE_RE, ' ').trim();
}
