// Export file names follow the identity's name, made safe for any file system.
import { describe, expect, it } from 'vitest';
import { exportFileName, fileStem } from '../../src/ui/file-names';

describe('export file names', () => {
  it('keep a plain name, spaces and accents included', () => {
    expect(fileStem('Ada')).toBe('Ada');
    expect(fileStem('Zoë Smith (copy)')).toBe('Zoë Smith (copy)');
  });

  it('replace separators and reserved characters, trim dots and spaces, never empty', () => {
    expect(fileStem('../etc/passwd')).toBe('_etc_passwd');
    expect(fileStem('a:b*c?"d<e>f|g\\h')).toBe('a_b_c_d_e_f_g_h');
    expect(fileStem('  .hidden.  ')).toBe('hidden');
    expect(fileStem('tab\there\nnewline')).toBe('tab_here_newline');
    expect(fileStem('...')).toBe('identity');
    expect(fileStem('')).toBe('identity');
    expect(fileStem('x'.repeat(200))).toHaveLength(80);
  });

  it('name each single-file format', () => {
    expect(exportFileName('Ada', 'w2w')).toBe('Ada.w2w.pt');
    expect(exportFileName('Ada', 'kohya')).toBe('Ada.safetensors');
    expect(exportFileName('Ada', 'diffusers')).toBe('Ada.diffusers.safetensors');
    expect(exportFileName('sample 12/3', 'w2w')).toBe('sample 12_3.w2w.pt');
  });
});
