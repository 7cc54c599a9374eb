import type { ComponentChildren } from 'preact';

/** An error in the API's own words, announced when it appears. */
export function Alert({ children, id }: { children: ComponentChildren; id?: string }) {
  return (
    <div class="alert" role="alert" id={id}>
      {children}
    </div>
  );
}

/** The text to show for anything thrown: the API's or authority's message when it has one. */
export const messageOf = (error: unknown): string =>
  error instanceof Error && error.message ? error.message : 'Something went wrong. Try again.';
