import { AppLink } from './AppLink.js';

export interface Section {
  href: string;
  label: string;
  current: boolean;
}

/**
 * The sections of one place (Entra's kinds of object, a Media Services account's assets, jobs
 * and live streams): links rather than tabs, so each section has its own address to share.
 */
export function SectionNav({ label, sections }: { label: string; sections: Section[] }) {
  return (
    <nav class="section-nav" aria-label={label}>
      {sections.map((s) => (
        <AppLink key={s.href} href={s.href} current={s.current ? 'page' : undefined}>
          {s.label}
        </AppLink>
      ))}
    </nav>
  );
}
