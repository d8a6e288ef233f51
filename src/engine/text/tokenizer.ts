// CLIP byte-level BPE tokenizer (OpenAI CLIP SimpleTokenizer / Hugging Face CLIPTokenizer), built
// from the contents of tokenizer/vocab.json and tokenizer/merges.txt.

import { cleanText } from './clean';

export const BOS_TOKEN = '<|startoftext|>';
export const EOS_TOKEN = '<|endoftext|>';
export const CLIP_MAX_LENGTH = 77;

// CLIP uses the first 49152 - 256 - 2 merges of the file (the rest of the 49408 ids are bytes,
// bytes + "</w>" and the two special tokens).
const MAX_MERGES = 49152 - 256 - 2;

// CLIP's pre-tokenizer; the text is lowercased first, the flag keeps the reference's case folding.
const WORD_RE =
  /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\p{White_Space}\p{L}\p{N}]+/giu;

/** GPT-2's reversible byte -> printable character table, so BPE never sees whitespace or controls. */
function bytesToUnicode(): string[] {
  const table = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    table[b] = String.fromCharCode(printable ? b : 256 + extra++);
  }
  return table;
}

export interface ClipTokenizerOptions {
  /** Padding token; SD 1.x pads with "<|endoftext|>", SD 2.x with "!". */
  padToken?: string;
}

export class ClipTokenizer {
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;
  private readonly vocab: Map<string, number>;
  private readonly ranks = new Map<string, number>();
  private readonly byteChars = bytesToUnicode();
  private readonly encoder = new TextEncoder();
  private readonly cache = new Map<string, number[]>();

  constructor(vocab: Record<string, number>, merges: string, options: ClipTokenizerOptions = {}) {
    this.vocab = new Map(Object.entries(vocab));
    this.bos = this.idOf(BOS_TOKEN);
    this.eos = this.idOf(EOS_TOKEN);
    this.pad = this.idOf(options.padToken ?? EOS_TOKEN);
    // Like the reference, the first line is the "#version" header and is skipped.
    const lines = merges.split('\n').slice(1, MAX_MERGES + 1);
    lines.forEach((line, rank) => {
      const parts = line.trim().split(/\s+/);
      if (parts.length === 2) this.ranks.set(parts[0] + ' ' + parts[1], rank);
    });
    this.cache.set(BOS_TOKEN, [this.bos]);
    this.cache.set(EOS_TOKEN, [this.eos]);
  }

  /** BPE ids of the prompt, without start/end tokens and without truncation. */
  tokenize(text: string): number[] {
    const ids: number[] = [];
    for (const match of cleanText(text).toLowerCase().matchAll(WORD_RE)) {
      const word = match[0];
      let cached = this.cache.get(word);
      if (!cached) {
        cached = this.bpe(word);
        this.cache.set(word, cached);
      }
      ids.push(...cached);
    }
    return ids;
  }

  /** Exactly maxLength ids: start token, the first maxLength - 2 BPE ids, end token, padding. */
  encode(text: string, maxLength = CLIP_MAX_LENGTH): number[] {
    if (!Number.isInteger(maxLength) || maxLength < 2) throw new Error(`maxLength must be an integer >= 2, got ${maxLength}`);
    const ids = [this.bos, ...this.tokenize(text).slice(0, maxLength - 2), this.eos];
    while (ids.length < maxLength) ids.push(this.pad);
    return ids;
  }

  encodeBatch(texts: readonly string[], maxLength = CLIP_MAX_LENGTH): number[][] {
    return texts.map((text) => this.encode(text, maxLength));
  }

  private idOf(token: string): number {
    const id = this.vocab.get(token);
    if (id === undefined) throw new Error(`CLIP vocabulary has no token ${JSON.stringify(token)}`);
    return id;
  }

  /** Merge the word's byte symbols by merge rank; the last symbol carries the "</w>" end-of-word mark. */
  private bpe(word: string): number[] {
    const chars = Array.from(this.encoder.encode(word), (b) => this.byteChars[b]);
    let symbols = chars.slice(0, -1);
    symbols.push(chars[chars.length - 1] + '</w>');
    while (symbols.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const rank = this.ranks.get(symbols[i] + ' ' + symbols[i + 1]);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      const first = symbols[best];
      const second = symbols[best + 1];
      // Every occurrence of the pair is merged, left to right without overlap, as the reference does.
      const merged: string[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (symbols[i] === first && i + 1 < symbols.length && symbols[i + 1] === second) {
          merged.push(first + second);
          i++;
        } else {
          merged.push(symbols[i]);
        }
      }
      symbols = merged;
    }
    return symbols.map((s) => this.idOf(s));
  }
}
