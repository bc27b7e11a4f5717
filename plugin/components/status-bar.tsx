import { useEffect } from 'preact/hooks';

/** A Roundcube-style message: short, success / error / info. */
export interface Status {
  kind: 'success' | 'error' | 'info';
  text: string;
}

/** Shows the latest status and announces it to screen readers; success messages fade after a while. */
export function StatusBar({ status, onClose }: { status: Status | null; onClose: () => void }) {
  useEffect(() => {
    if (status?.kind !== 'success') return undefined;
    const timer = setTimeout(onClose, 6000);
    return () => clearTimeout(timer);
  }, [status, onClose]);
  return (
    <div class="aq-live" role={status?.kind === 'error' ? 'alert' : 'status'} aria-live={status?.kind === 'error' ? 'assertive' : 'polite'}>
      {status && (
        <p class={`aq-status aq-status--${status.kind}`} data-aq-status={status.kind}>
          {status.text}
        </p>
      )}
    </div>
  );
}
