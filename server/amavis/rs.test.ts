import { describe, expect, it } from 'vitest';
import { canTransition, previousRsOf, RS_TRANSITIONS } from './rs';

describe('the rs state machine', () => {
  it('never lets a deleted copy be released, viewed or requested', () => {
    for (const transition of Object.keys(RS_TRANSITIONS) as Array<keyof typeof RS_TRANSITIONS>) expect(canTransition('D', transition)).toBe(false);
  });

  it('approves only a copy still waiting for that decision', () => {
    expect(canTransition('p', 'approve')).toBe(true);
    for (const rs of ['', 'V', 'v', 'R', 'D']) expect(canTransition(rs, 'approve')).toBe(false);
  });

  it('reads a NULL or blank rs as the new copy amavisd wrote', () => {
    expect(canTransition(null, 'view')).toBe(true);
    expect(canTransition(' ', 'release')).toBe(true);
  });

  it('never has a transition that starts where it ends (the affected-row count must mean a change)', () => {
    for (const rule of Object.values(RS_TRANSITIONS)) expect((rule.from as readonly string[]).includes(rule.to)).toBe(false);
  });

  it('goes back to viewed or new when a request is withdrawn', () => {
    expect(previousRsOf('v')).toBe('V');
    expect(previousRsOf('')).toBe('');
    expect(previousRsOf(' ')).toBe('');
  });
});
