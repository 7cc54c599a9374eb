import type { Permission } from '../../api/rbac.js';

const PARTS = [
  ['actions', 'Actions'],
  ['notActions', 'Not actions'],
  ['dataActions', 'Data actions'],
  ['notDataActions', 'Not data actions'],
] as const;

/** A role's or deny assignment's permission blocks, each list under its name (empty ones left out). */
export function Permissions({ permissions }: { permissions: Permission[] }) {
  if (permissions.every((p) => PARTS.every(([part]) => p[part].length === 0))) {
    return <p class="hint">No permissions.</p>;
  }
  return (
    <>
      {permissions.map((p, i) => (
        <dl class="permissions" key={i}>
          {PARTS.filter(([part]) => p[part].length > 0).map(([part, title]) => (
            <div key={part}>
              <dt>{title}</dt>
              <dd>
                <ul>
                  {p[part].map((action) => (
                    <li key={action}>
                      <code>{action}</code>
                    </li>
                  ))}
                </ul>
              </dd>
            </div>
          ))}
        </dl>
      ))}
    </>
  );
}
