import type { ComponentChildren } from 'preact';
import { iamHref, navigate } from '../router.js';

/** A link to another of the portal's pages that stays in the app (a new tab still loads it whole). */
export function AppLink({
  href,
  class: className,
  children,
}: {
  href: string;
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <a
      href={href}
      class={className}
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

/** "Access control (IAM)" of a scope; the hidden words say whose, in a list of several. */
export function IamLink({ scope, name }: { scope: string; name: string }) {
  return (
    <AppLink href={iamHref(scope)} class="iam-link">
      Access control (IAM)<span class="visually-hidden"> of {name}</span>
    </AppLink>
  );
}
