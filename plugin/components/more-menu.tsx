import { useEffect, useRef, useState } from 'preact/hooks';
import { Icon, type IconName } from './icons';
import { rovingIndex } from './roving';

/** One entry of a menu: a command, or a link (a download). */
export interface MenuEntry {
  key: string;
  label: string;
  icon: IconName;
  onSelect?: () => void;
  href?: string;
  danger?: boolean;
}

/**
 * A menu button (WAI-ARIA's pattern), like Elastic's "More": Enter, Space or ↓ opens it on its first
 * item (↑ on its last), arrows, Home and End move, Esc closes it and gives the focus back to the button,
 * and so does choosing an item. The button stays enabled while the widget is busy (its items are not),
 * so that the focus it gets back after a command stays in the toolbar. Keys pressed in the menu stay
 * there: `r` or `d` in the menu must not release or delete the message behind it.
 */
export function MoreMenu({
  label,
  entries,
  disabled,
  tabIndex,
  onFocus,
  id = 'aq-more-menu',
  plain = false,
}: {
  /** A text button like the bulk bar's others, instead of the toolbar's icon above its name. */
  plain?: boolean;
  /** The menu's element id: one per menu that can be open in the same page (the toolbar's, the list's). */
  id?: string;
  label: string;
  entries: readonly MenuEntry[];
  disabled: boolean;
  tabIndex: number;
  onFocus: () => void;
}) {
  const [open, setOpen] = useState<false | 'first' | 'last'>(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const items = () => [...(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];

  useEffect(() => {
    if (!open) return undefined;
    const list = items();
    (open === 'last' ? list.at(-1) : list[0])?.focus();
    // A click anywhere outside closes it (the path crosses the shadow root, so a click inside is seen as inside).
    const outside = (e: Event) => {
      if (!e.composedPath().includes(buttonRef.current!.parentElement!)) setOpen(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);

  const close = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };

  const onMenuKey = (e: KeyboardEvent) => {
    const list = items();
    const to = list.length ? rovingIndex(e.key, list.indexOf(e.target as HTMLElement), list.length, 'vertical') : undefined;
    if (to !== undefined) list[to]!.focus();
    else if (e.key === 'Escape') close();
    else if (e.key === 'Tab') return setOpen(false);
    else if (e.key === ' ' && (e.target as HTMLElement).tagName === 'A') (e.target as HTMLElement).click();
    else return e.stopPropagation();
    e.preventDefault();
    e.stopPropagation();
  };

  return (
    <span class="aq-menu-wrap">
      <button
        type="button"
        class={plain ? 'aq-btn' : 'aq-tb-btn'}
        ref={buttonRef}
        aria-haspopup="menu"
        aria-expanded={open ? 'true' : 'false'}
        aria-controls={open ? id : undefined}
        tabIndex={tabIndex}
        onFocus={onFocus}
        onClick={() => setOpen(open ? false : 'first')}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            e.stopPropagation();
            setOpen(e.key === 'ArrowUp' ? 'last' : 'first');
          }
        }}
      >
        {plain ? (
          label
        ) : (
          <>
            <Icon name="more" />
            <span class="aq-tb-label">{label}</span>
          </>
        )}
      </button>
      {open && (
        <div class="aq-menu" role="menu" id={id} aria-label={label} ref={menuRef} onKeyDown={onMenuKey}>
          {entries.map((entry) => {
            const look = `aq-menu-item${entry.danger ? ' aq-menu-item--danger' : ''}`;
            const content = (
              <>
                <Icon name={entry.icon} />
                {entry.label}
              </>
            );
            return entry.href ? (
              <a key={entry.key} role="menuitem" class={look} tabIndex={-1} href={entry.href} download onClick={close}>
                {content}
              </a>
            ) : (
              <button
                key={entry.key}
                type="button"
                role="menuitem"
                class={look}
                tabIndex={-1}
                aria-disabled={disabled ? 'true' : undefined}
                onClick={() => {
                  if (disabled) return;
                  close();
                  entry.onSelect?.();
                }}
              >
                {content}
              </button>
            );
          })}
        </div>
      )}
    </span>
  );
}
