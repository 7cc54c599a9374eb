import { AppLink } from '../components/AppLink.js';
import { iamHref } from '../router.js';

/** "Access control (IAM)" of a scope; the hidden words say whose, in a list of several. */
export function IamLink({ scope, name }: { scope: string; name: string }) {
  return (
    <AppLink href={iamHref(scope)} class="iam-link">
      Access control (IAM)<span class="visually-hidden"> of {name}</span>
    </AppLink>
  );
}
