import { describe, expect, test } from 'vitest';
import { attributeName, featuredFirst } from '../../src/ui/attribute-names';

describe('attribute names', () => {
  test('CelebA columns read as words', () => {
    expect(attributeName('5_o_Clock_Shadow')).toBe('Stubble');
    expect(attributeName('Pointy_Nose')).toBe('Pointy nose');
    expect(attributeName('Wearing_Lipstick')).toBe('Wearing lipstick');
    expect(attributeName('Male')).toBe('Male');
    expect(attributeName('some_custom_label')).toBe('Some custom label');
  });

  test('featured columns first, in their order; the rest keep the space order; missing ones skipped', () => {
    const columns = ['Bald', 'Male', 'Wavy_Hair', 'Smiling', 'Young', 'Big_Lips'];
    expect(featuredFirst(columns, 4)).toEqual({ first: ['Young', 'Male', 'Wavy_Hair', 'Bald'], more: ['Smiling', 'Big_Lips'] });
    expect(featuredFirst(['a', 'b'])).toEqual({ first: ['a', 'b'], more: [] });
  });
});

test('a direction in words: the sign of each cosine says more or less', async () => {
  const { describeDirection } = await import('../../src/ui/attribute-names');
  expect(describeDirection([{ name: 'Male', cosine: 0.4 }, { name: 'Pointy_Nose', cosine: -0.2 }])).toBe('more Male, less Pointy nose');
});
