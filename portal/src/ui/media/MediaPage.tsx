import { SectionNav } from '../components/SectionNav.js';
import type { MediaTab } from '../router.js';
import { MEDIA_TABS, mediaHref } from '../router.js';
import { AssetsTab } from './AssetsTab.js';
import { JobsTab } from './JobsTab.js';
import { LiveTab } from './LiveTab.js';

const LABELS: Record<MediaTab, string> = { assets: 'Assets', jobs: 'Encoding jobs', live: 'Live streams' };

/** The last segment of an ARM id: the account's name. */
const nameOf = (id: string): string => id.split('/').filter(Boolean).pop() ?? id;

/**
 * A Media Services account: its assets, its encoding jobs and its live streams, through the Media
 * Services v2 REST API (/media/<account>/api/) with the person's token for rest.media.azure.net.
 */
export function MediaPage({ account, tab }: { account: string; tab: MediaTab }) {
  return (
    <div class="page">
      <h1>
        Media Services <span class="cell-detail">{nameOf(account)}</span>
      </h1>
      <SectionNav
        label="Media Services account"
        sections={MEDIA_TABS.map((t) => ({
          href: mediaHref(account, t),
          label: LABELS[t],
          current: t === tab,
        }))}
      />
      {tab === 'assets' && <AssetsTab account={account} />}
      {tab === 'jobs' && <JobsTab account={account} />}
      {tab === 'live' && <LiveTab account={account} />}
    </div>
  );
}
