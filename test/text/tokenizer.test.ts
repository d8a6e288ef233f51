import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openSafetensors } from '../../src/engine/io/safetensors';
import { openPath } from '../../src/engine/io/source-node';
import { cleanText } from '../../src/engine/text/clean';
import { ClipTokenizer } from '../../src/engine/text/tokenizer';

const TINY = path.resolve(process.cwd(), '../shared/fixtures/tiny-sd-a');
const vocab: Record<string, number> = JSON.parse(readFileSync(path.join(TINY, 'tokenizer/vocab.json'), 'utf8'));
const merges = readFileSync(path.join(TINY, 'tokenizer/merges.txt'), 'utf8');
const reference = JSON.parse(readFileSync(path.join(TINY, 'reference.json'), 'utf8')) as { prompts: string[] };

const tokenizer = new ClipTokenizer(vocab, merges);
const BOS = 49406;
const EOS = 49407;

/** Ids of whole-word vocabulary entries ("photo" -> id of "photo</w>"), for expectations derived by hand. */
const words = (...ws: string[]) => ws.map((w) => {
  const id = vocab[w + '</w>'];
  if (id === undefined) throw new Error(`no vocab entry ${w}</w>`);
  return id;
});
const padded = (ids: number[]) => [...ids, ...new Array(77 - ids.length).fill(EOS)];

describe('CLIP tokenizer on the reference fixture', () => {
  let ids: number[][];
  let uncond: number[];

  beforeAll(async () => {
    const file = await openSafetensors(await openPath(path.join(TINY, 'reference.safetensors')));
    expect(file.info('clip.ids').shape).toEqual([2, 77]);
    expect(file.info('clip.uncond_ids').shape).toEqual([1, 77]);
    const flat = Array.from(await file.readInt64('clip.ids'), Number);
    ids = [flat.slice(0, 77), flat.slice(77)];
    uncond = Array.from(await file.readInt64('clip.uncond_ids'), Number);
  });

  it('encodes the two reference prompts exactly', () => {
    expect(reference.prompts).toHaveLength(2);
    expect(tokenizer.encodeBatch(reference.prompts)).toEqual(ids);
  });

  it('encodes the empty prompt exactly', () => {
    expect(tokenizer.encode('')).toEqual(uncond);
  });
});

describe('CLIP tokenizer', () => {
  it('reads the special ids from the vocabulary', () => {
    expect([tokenizer.bos, tokenizer.eos, tokenizer.pad]).toEqual([BOS, EOS, EOS]);
    expect(new ClipTokenizer(vocab, merges, { padToken: '!' }).encode('sks').slice(-1)).toEqual([vocab['!']]);
  });

  it('encodes whole words to their </w> entries', () => {
    expect(tokenizer.encode('sks person')).toEqual(padded([BOS, ...words('sks', 'person'), EOS]));
    expect(tokenizer.tokenize('a photo of sks person')).toEqual(words('a', 'photo', 'of', 'sks', 'person'));
  });

  it('ignores case and collapses whitespace', () => {
    const expected = tokenizer.encode('a photo of sks person');
    for (const variant of ['A Photo OF SKS Person', '  a   photo\tof\n sks  person  ', '\u00a0a photo of sks\u3000person']) {
      expect(tokenizer.encode(variant)).toEqual(expected);
    }
  });

  it('splits punctuation, contractions and digits as CLIP does', () => {
    expect(tokenizer.tokenize('hello, world!')).toEqual(words('hello', ',', 'world', '!'));
    expect(tokenizer.tokenize("person's hat, isn't it?")).toEqual(words('person', "'s", 'hat', ',', 'isn', "'t", 'it', '?'));
    expect(tokenizer.tokenize('2 people 10')).toEqual(words('2', 'people', '1', '0'));
    expect(tokenizer.tokenize('wow!!!')).toEqual(words('wow', '!!!'));
  });

  it('unescapes HTML and keeps special tokens written in the text', () => {
    expect(tokenizer.tokenize('salt &amp; pepper')).toEqual(tokenizer.tokenize('salt & pepper'));
    expect(tokenizer.tokenize('&#39;s &amp;amp;')).toEqual(tokenizer.tokenize("'s &"));
    expect(tokenizer.tokenize('a<|endoftext|>b')).toEqual([...words('a'), EOS, ...words('b')]);
  });

  it('normalises text as ftfy would (quotes, widths, ligatures, NFC)', () => {
    expect(tokenizer.tokenize('person\u2019s \u201chat\u201d')).toEqual(tokenizer.tokenize('person\'s "hat"'));
    expect(tokenizer.tokenize('ＳＫＳ ｐｅｒｓｏｎ')).toEqual(words('sks', 'person'));
    expect(tokenizer.tokenize('\ufb01ne')).toEqual(tokenizer.tokenize('fine'));
    expect(tokenizer.tokenize('cafe\u0301')).toEqual(tokenizer.tokenize('caf\u00e9'));
    expect(cleanText(' a\u0000b \u200b ')).toBe('ab \u200b');
  });

  it('encodes unseen words into pieces that spell the word', () => {
    const decoder = new Map(Object.entries(vocab).map(([k, v]) => [v, k]));
    const pieces = tokenizer.tokenize('sksperson').map((id) => decoder.get(id));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe('sksperson</w>');
  });

  it('truncates to 75 tokens and always ends with the end token', () => {
    const long = tokenizer.encode('person '.repeat(100));
    expect(long).toHaveLength(77);
    expect(long[0]).toBe(BOS);
    expect(long.slice(1, 76)).toEqual(new Array(75).fill(vocab['person</w>']));
    expect(long[76]).toBe(EOS);
    const exact = tokenizer.encode('person '.repeat(75));
    expect(exact).toEqual(long);
    expect(tokenizer.encode('sks person', 8)).toEqual([BOS, ...words('sks', 'person'), EOS, EOS, EOS, EOS, EOS]);
  });
});

describe('BPE merging on a hand-made vocabulary', () => {
  const tiny: Record<string, number> = {
    a: 0, b: 1, 'a</w>': 2, 'b</w>': 3, aa: 4, ab: 5, 'ab</w>': 6, '<|startoftext|>': 7, '<|endoftext|>': 8,
  };
  // Ranks by line: "a a" 0, "a b</w>" 1, "a b" 2.
  const bpe = new ClipTokenizer(tiny, '#version: 0.2\na a\na b</w>\na b\n');

  it('merges every occurrence of the best pair left to right, then stops when no pair is known', () => {
    expect(bpe.tokenize('aaa')).toEqual([tiny.aa, tiny['a</w>']]);
    expect(bpe.tokenize('aaaa')).toEqual([tiny.aa, tiny.a, tiny['a</w>']]);
  });

  it('prefers the lower merge rank', () => {
    expect(bpe.tokenize('ab')).toEqual([tiny['ab</w>']]);
    expect(bpe.tokenize('abab')).toEqual([tiny.ab, tiny['ab</w>']]);
    expect(bpe.encode('b a', 4)).toEqual([7, tiny['b</w>'], tiny['a</w>'], 8]);
  });

  it('rejects symbols the vocabulary lacks', () => {
    expect(() => bpe.tokenize('c')).toThrow(/no token "c<\/w>"/);
  });
});
