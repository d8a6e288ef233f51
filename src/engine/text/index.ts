export { ClipTokenizer, BOS_TOKEN, EOS_TOKEN, CLIP_MAX_LENGTH, type ClipTokenizerOptions } from './tokenizer';
export { cleanText } from './clean';
