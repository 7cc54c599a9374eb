import { useEffect, useState } from 'preact/hooks';
import type { SignInEntry, SignInFilters } from '../../api/graphSignIns.js';
import { listSignIns } from '../../api/graphSignIns.js';
import { announce } from '../announcer.js';
import { Alert, messageOf } from '../components/Alert.js';
import { DataTable } from '../components/DataTable.js';
import { EmptyState } from '../components/EmptyState.js';
import { useSubmit } from '../components/useSubmit.js';
import { SignInFiltersForm } from './signIns/SignInFiltersForm.js';

type Log =
  | { state: 'loading' }
  | { state: 'ready'; entries: SignInEntry[]; next?: string }
  | { state: 'failed'; message: string };

const statusText = (entry: SignInEntry): string =>
  entry.errorCode === 0 ? 'Success' : `Failure (${entry.errorCode})`;

/**
 * The sign-in log (Graph's auditLogs/signIns): every attempt in this directory, newest first,
 * filtered by Graph, a page at a time. Reading it takes a role that reads reports (Reports Reader,
 * Security Reader, Global Reader…), and Graph's refusal says so.
 */
export function SignInsSection() {
  const [filters, setFilters] = useState<SignInFilters>({});
  const [log, setLog] = useState<Log>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    setLog({ state: 'loading' });
    listSignIns(filters).then(
      (page) => {
        if (!current) return;
        setLog({ state: 'ready', ...page });
        announce(`${page.entries.length}${page.next ? ' or more' : ''} sign-ins found.`);
      },
      (error: unknown) => current && setLog({ state: 'failed', message: messageOf(error) }),
    );
    return () => {
      current = false;
    };
  }, [filters]);
  const more = useSubmit(async () => {
    if (log.state !== 'ready' || !log.next) return;
    const page = await listSignIns({ next: log.next });
    setLog({
      state: 'ready',
      entries: [...log.entries, ...page.entries],
      ...(page.next && { next: page.next }),
    });
    announce(`${page.entries.length} more sign-ins loaded.`);
  });

  return (
    <section class="panel" aria-labelledby="sign-ins-heading">
      <div class="panel-head">
        <h2 id="sign-ins-heading">Sign-in logs</h2>
      </div>
      <p class="panel-description">
        Every attempt to sign in to this directory, successful or not, by people and the apps they use.
      </p>
      <SignInFiltersForm onApply={setFilters} />
      {log.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {log.state === 'failed' && <Alert>{log.message}</Alert>}
      {log.state === 'ready' && log.entries.length === 0 && (
        <EmptyState title="No sign-ins match">
          <p>
            Widen the time window or clear the filters. Sign-ins appear here as soon as someone signs in, with
            a password, a refresh token or a device code.
          </p>
        </EmptyState>
      )}
      {log.state === 'ready' && log.entries.length > 0 && (
        <>
          <DataTable<SignInEntry>
            caption="Sign-ins"
            what="sign-ins"
            items={log.entries}
            keyOf={(s) => s.id}
            textOf={(s) =>
              `${s.userDisplayName} ${s.userPrincipalName} ${s.appDisplayName} ${statusText(s)} ${s.failureReason} ${s.ipAddress} ${s.resourceDisplayName}`
            }
            filterLabel="Search the sign-ins shown"
            initialSort={{ column: 'Date', descending: true }}
            pageSize={20}
            columns={[
              {
                header: 'Date',
                sortValue: (s) => s.createdDateTime,
                cell: (s) => (
                  <time dateTime={s.createdDateTime}>{new Date(s.createdDateTime).toLocaleString()}</time>
                ),
              },
              {
                header: 'User',
                sortValue: (s) => s.userPrincipalName,
                cell: (s) => (
                  <>
                    <span class="cell-main">{s.userDisplayName || s.userPrincipalName}</span>
                    {s.userDisplayName && <span class="cell-detail">{s.userPrincipalName}</span>}
                  </>
                ),
              },
              {
                header: 'Application',
                sortValue: (s) => s.appDisplayName,
                cell: (s) => s.appDisplayName || s.appId,
              },
              {
                header: 'Status',
                sortValue: (s) => s.errorCode,
                cell: (s) => (
                  <>
                    <span class="cell-main">{statusText(s)}</span>
                    {s.errorCode !== 0 && <span class="cell-detail">{s.failureReason}</span>}
                  </>
                ),
              },
              {
                header: 'Resource',
                sortValue: (s) => s.resourceDisplayName,
                cell: (s) => s.resourceDisplayName,
                secondary: true,
              },
              {
                header: 'IP address',
                sortValue: (s) => s.ipAddress,
                cell: (s) => s.ipAddress,
                secondary: true,
              },
              {
                header: 'Client app',
                sortValue: (s) => s.clientAppUsed,
                cell: (s) => s.clientAppUsed,
                secondary: true,
              },
            ]}
          />
          {more.error && <Alert>{more.error}</Alert>}
          {log.next && (
            <div class="actions">
              <button type="button" class="button" disabled={more.busy} onClick={() => void more.submit()}>
                {more.busy ? 'Loading more…' : 'Load more sign-ins'}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
