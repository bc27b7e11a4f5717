/**
 * WAI-ARIA's roving focus: where `key` moves the focus among `n` items from item `i` (wrapping), or
 * undefined when it is not a moving key. A toolbar moves with ← →, a menu with ↑ ↓; both with Home and End.
 */
export function rovingIndex(key: string, i: number, n: number, axis: 'horizontal' | 'vertical'): number | undefined {
  const [next, prev] = axis === 'horizontal' ? ['ArrowRight', 'ArrowLeft'] : ['ArrowDown', 'ArrowUp'];
  if (key === next) return (i + 1) % n;
  if (key === prev) return (i - 1 + n) % n;
  if (key === 'Home') return 0;
  if (key === 'End') return n - 1;
  return undefined;
}
