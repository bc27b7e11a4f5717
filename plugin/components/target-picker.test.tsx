// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TargetPicker } from './target-picker';

const label = (o: string) => (o === 'me' ? 'You' : o);

describe('TargetPicker', () => {
  afterEach(cleanup);

  it('is not there for someone with nothing to pick', () => {
    render(<TargetPicker value="me" options={['me']} label={label} onChange={vi.fn()} domainValue={(d) => d} />);
    expect(screen.queryByRole('combobox')).toBeNull();
  });

  it('offers a super user any domain by name, refuses what is none, and keeps the ones picked', () => {
    const onChange = vi.fn();
    const { rerender } = render(<TargetPicker value="me" options={['me', 'everyone']} label={label} onChange={onChange} anyDomain domainValue={(d) => `@${d}`} />);
    fireEvent.change(screen.getByRole('combobox', { name: 'For' }), { target: { value: '\u0000other' } });
    const box = screen.getByRole('textbox', { name: 'Domain' });
    fireEvent.input(box, { target: { value: 'no domain' } });
    fireEvent.submit(box.closest('form')!);
    expect(screen.getByRole('alert').textContent).toBe('Enter a domain name such as example.org.');
    expect(onChange).not.toHaveBeenCalled();
    fireEvent.input(box, { target: { value: ' @Example.ORG ' } });
    fireEvent.submit(box.closest('form')!);
    expect(onChange).toHaveBeenCalledWith('@example.org');
    rerender(<TargetPicker value="@example.org" options={['me', 'everyone']} label={label} onChange={onChange} anyDomain domainValue={(d) => `@${d}`} />);
    expect(screen.queryByRole('textbox')).toBeNull();
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['You', 'everyone', '@example.org', 'Another domain…']);
    expect(screen.getByRole<HTMLSelectElement>('combobox').value).toBe('@example.org');
  });
});
