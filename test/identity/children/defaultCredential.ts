// Run by defaultAzureCredential.test.ts in a process of its own (msal-node keeps the managed
// identity source it chose in a static field): a program that knows nothing but its environment.
import { DefaultAzureCredential } from '@azure/identity';

const scope = process.argv[2] ?? 'https://management.azure.com/.default';
try {
  const { token } = await new DefaultAzureCredential().getToken(scope);
  process.stdout.write(JSON.stringify({ token }));
} catch (error) {
  process.stdout.write(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
  process.exitCode = 1;
}
