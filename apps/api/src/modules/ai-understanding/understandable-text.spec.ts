import { describe, expect, it } from 'vitest';
import { MAX_UNDERSTANDING_CHARS, understandableText } from './understandable-text.js';

describe('understandableText', () => {
  it('reads the text, a caption, or an interactive body', () => {
    expect(understandableText({ text: '  I need help  ' })).toBe('I need help');
    expect(understandableText({ url: 'https://x.test/a.png', caption: 'my receipt' })).toBe('my receipt');
    expect(understandableText({ body: 'Pick one' })).toBe('Pick one');
    expect(understandableText({ body: { text: 'Choose a size' } })).toBe('Choose a size');
  });

  it("puts an email's subject before its text", () => {
    expect(understandableText({ text: 'It arrived broken.', subject: 'Order 42', html: '<p>x</p>' })).toBe(
      'Order 42\nIt arrived broken.',
    );
  });

  it('has nothing for messages without words', () => {
    expect(understandableText({ url: 'https://x.test/s.webp' })).toBeNull();
    expect(understandableText({ latitude: 1, longitude: 2 })).toBeNull();
    expect(understandableText({ text: '   ', caption: '' })).toBeNull();
    expect(understandableText({ text: 42, body: ['not', 'text'] })).toBeNull();
  });

  it("cuts long text to the classifier's limit", () => {
    expect(understandableText({ text: 'a'.repeat(MAX_UNDERSTANDING_CHARS + 500) })).toHaveLength(
      MAX_UNDERSTANDING_CHARS,
    );
  });
});
