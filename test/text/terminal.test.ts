import { describe, expect, it } from 'vitest';
import { terminalText, withoutControlCharacters } from '../../src/text/index.js';

describe('text for a terminal', () => {
  it('turns every C0, DEL and C1 control character into a space', () => {
    expect(withoutControlCharacters('Evil\x1b]0;PWNED\x07\x1b[2J')).toBe('Evil ]0;PWNED  [2J');
    expect(withoutControlCharacters('a\tb\nc\rd\x7fe\x9bf\u0000')).toBe('a b c d e f ');
    expect(withoutControlCharacters('李 Zoë — ok')).toBe('李 Zoë — ok');
  });

  it('keeps line ends (LF and CRLF) and nothing else', () => {
    expect(terminalText('one\x1b[2J\ntwo\r\nthree\rfour\n')).toBe('one [2J\ntwo\r\nthree four\n');
  });
});
