import type { ComponentChildren } from 'preact';
import { navigate } from '../router.js';

/** A link to another of the portal's pages that stays in the app (a new tab still loads it whole). */
export function AppLink({
  href,
  class: className,
  current,
  children,
}: {
  href: string;
  class?: string;
  /** 'page' where the link leads to the screen shown. */
  current?: 'page';
  children: ComponentChildren;
}) {
  return (
    <a
      href={href}
      class={className}
      aria-current={current}
      onClick={(event) => {
        if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}
