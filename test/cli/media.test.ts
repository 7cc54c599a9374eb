import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { originWithPort } from '../../src/server/origins.js';
import { FileBlobStore } from '../../src/media/blobs/fileBlobStore.js';
import type { RunningServer } from '../../src/server/start.js';
import { startServer } from '../../src/server/start.js';
import { cliFolder } from './support.js';
import type { CliFolder } from './support.js';

interface AzAsset {
  alternateId: string | null;
  assetId: string;
  container: string;
  created: string;
  description: null;
  id: string;
  lastModified: string;
  name: string;
  options: string;
  resourceGroup: string;
  state: string;
  storageAccountName: string;
  storageEncryptionFormat: string;
  type: string;
  uri: string;
  v2Id: string;
}

interface AzFile {
  assetId: string;
  assetName: string;
  contentFileSize: number;
  contentMd5: string | null;
  created: string;
  isPrimary: boolean;
  lastModified: string;
  mimeType: string | null;
  name: string;
  v2Id: string;
}

interface AzJobOutput {
  '@odata.type': string;
  assetId: string;
  assetName: string;
  endTime: string | null;
  error: { code: string; message: string; details: Array<{ code: string; message: string }> } | null;
  label: string;
  preset: string;
  progress: number;
  startTime: string | null;
  state: string;
}

interface AzJob {
  created: string;
  endTime: string | null;
  id: string;
  input: { '@odata.type': string; assetId: string; assetName: string; label: null };
  jobId: string;
  lastModified: string;
  name: string;
  outputs: AzJobOutput[];
  priority: number;
  resourceGroup: string;
  runningDuration: number;
  startTime: string | null;
  state: string;
  type: string;
  v2Id: string;
}

interface AzLocator {
  accessPolicyId: string;
  assetId: string;
  assetName: string;
  baseUri: string;
  contentAccessComponent: string;
  downloadPaths: string[];
  endTime: string;
  id: string;
  locatorType: string;
  name: string;
  path: string;
  permissions: string;
  resourceGroup: string;
  startTime: string | null;
  streamingLocatorId: string;
  streamingPaths: Array<{ encryptionScheme: string; paths: string[]; streamingProtocol: string }>;
  type: string;
  v2Id: string;
}

const AZ_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CONTENT = 'hello from the tessera media CLI\n';

describe('tessera media asset, job and locator', () => {
  let f: CliFolder;
  let server: RunningServer | undefined;
  let accountId: string;
  let asset: AzAsset;
  let queuedJob: AzJob;
  /** Where printed URLs point: the server's origin once it runs, a placeholder before. */
  let origin = 'https://localhost:8443';
  let accountPort: number;
  const accountRoot = () => originWithPort(origin, accountPort);

  const media = (words: string, ...values: string[]) =>
    f.cli(`media ${words}`, ...values, '-a', 'climedia', '--server', origin);
  const mediaJson = async <T>(words: string, ...values: string[]): Promise<T> => {
    const result = await media(words, ...values);
    assert.equal(result.code, 0, `tessera media ${words} ${values.join(' ')}: ${result.stderr}`);
    return (result.stdout === '' ? undefined : JSON.parse(result.stdout)) as T;
  };
  /** A refused command: exit code and az's `ERROR: ` line. */
  const refused = async (code: number, pattern: RegExp, words: string, ...values: string[]) => {
    const result = await media(words, ...values);
    assert.equal(result.code, code, `${words}: ${result.stdout}${result.stderr}`);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^ERROR: /);
    assert.match(result.stderr, pattern);
  };

  before(async () => {
    f = cliFolder();
    await f.json('group create -n media-rg -l westus');
    const account = await f.json<{ id: string; apiEndpoints: Array<{ endpoint: string }> }>(
      'media account create -n climedia -g media-rg -l westus',
    );
    accountId = account.id;
    // The account is an origin of its own: its URLs are on its port, on the host of `origin`.
    accountPort = Number(new URL(account.apiEndpoints[0]?.endpoint ?? '').port);
  });
  after(async () => {
    await server?.close();
    f.remove();
  });

  it('creates, lists and shows assets in az shape, without a server', async () => {
    asset = await mediaJson<AzAsset>('asset create -n', 'My Clip', '--alternate-id', 'alt-1');
    assert.deepEqual(Object.keys(asset), [
      'alternateId',
      'assetId',
      'container',
      'created',
      'description',
      'id',
      'lastModified',
      'name',
      'options',
      'resourceGroup',
      'state',
      'storageAccountName',
      'storageEncryptionFormat',
      'type',
      'uri',
      'v2Id',
    ]);
    assert.match(asset.assetId, GUID);
    assert.equal(asset.v2Id, `nb:cid:UUID:${asset.assetId}`);
    assert.equal(asset.container, `asset-${asset.assetId}`);
    assert.equal(asset.id, `${accountId}/assets/${asset.assetId}`);
    assert.equal(asset.name, 'My Clip');
    assert.equal(asset.alternateId, 'alt-1');
    assert.equal(asset.resourceGroup, 'media-rg');
    assert.equal(asset.storageAccountName, 'climedia');
    assert.equal(asset.storageEncryptionFormat, 'None');
    assert.equal(asset.state, 'Initialized');
    assert.equal(asset.type, 'Microsoft.Media/mediaservices/assets');
    assert.equal(asset.uri, `${accountRoot()}/blob/${asset.container}`);
    assert.match(asset.created, AZ_TIME);

    // By name, by v2 id, by guid and by container: the same asset.
    for (const reference of ['My Clip', asset.v2Id, asset.assetId, asset.container]) {
      assert.deepEqual(await mediaJson<AzAsset>('asset show --asset', reference), asset);
    }
    const other = await mediaJson<AzAsset>('asset create -n other');
    const listed = await mediaJson<AzAsset[]>('asset list');
    assert.deepEqual(
      listed.map((a) => a.assetId),
      [asset.assetId, other.assetId],
    );
    assert.deepEqual(listed[0], asset);
    await mediaJson('asset delete --asset', other.v2Id);
    assert.deepEqual(
      (await mediaJson<AzAsset[]>('asset list')).map((a) => a.name),
      ['My Clip'],
    );
  });

  it('uploads a file into the asset and records its File', async () => {
    const path = join(f.dataDir, 'greeting.txt');
    writeFileSync(path, CONTENT);
    const file = await mediaJson<AzFile>('asset upload --asset', 'My Clip', '--file', path);
    assert.equal(file.name, 'greeting.txt');
    assert.equal(file.assetId, asset.assetId);
    assert.equal(file.assetName, 'My Clip');
    assert.equal(file.contentFileSize, Buffer.byteLength(CONTENT));
    assert.equal(file.mimeType, 'text/plain');
    assert.equal(file.isPrimary, false);
    assert.match(file.v2Id, /^nb:cid:UUID:/);
    assert.notEqual(file.v2Id, asset.v2Id);
    assert.match(file.contentMd5 ?? '', /^[A-Za-z0-9+/]{22}==$/);

    // Again under another name, as the primary file; then the first name again: same File, new size.
    const clip = await mediaJson<AzFile>(
      'asset upload --asset',
      asset.assetId,
      '--file',
      path,
      '--name',
      'clip.mp4',
      '--primary',
    );
    assert.equal(clip.isPrimary, true);
    assert.equal(clip.mimeType, 'video/mp4');
    writeFileSync(path, `${CONTENT}${CONTENT}`);
    const again = await mediaJson<AzFile>('asset upload --asset', asset.v2Id, '--file', path);
    assert.equal(again.v2Id, file.v2Id);
    assert.equal(again.contentFileSize, 2 * Buffer.byteLength(CONTENT));
    writeFileSync(path, CONTENT);
    await mediaJson('asset upload --asset', asset.v2Id, '--file', path);

    // A second primary file is the API's 409, refused before anything is recorded.
    await refused(
      1,
      /already has a primary file/,
      'asset upload --asset',
      asset.v2Id,
      '--file',
      path,
      '--name',
      'b.mp4',
      '--primary',
    );
    const blobs = await new FileBlobStore(join(f.dataDir, 'media', 'blobs')).list(asset.container);
    assert.deepEqual(
      blobs.map((b) => [b.name, b.size, b.contentType]),
      [
        ['clip.mp4', Buffer.byteLength(CONTENT), 'video/mp4'],
        ['greeting.txt', Buffer.byteLength(CONTENT), 'text/plain'],
      ],
    );
  });

  it('refuses bad input with az errors', async () => {
    await refused(
      1,
      /asset 'nope' was not found in the Media Services account 'climedia'/,
      'asset show --asset nope',
    );
    await refused(
      1,
      /file '\/no\/such\/file' could not be read/,
      'asset upload --asset',
      asset.v2Id,
      '--file',
      '/no/such/file',
    );
    await refused(
      1,
      /Invalid value for property 'Name': a file name of 1 to 260 characters/,
      'asset upload --asset',
      asset.v2Id,
      '--file',
      join(f.dataDir, 'greeting.txt'),
      '--name',
      'a/b',
    );
    await refused(2, /required option '--asset <id\|name>' not specified/, 'asset show');
    const badServer = await f.cli('media asset list -a climedia --server ftp://x');
    assert.equal(badServer.code, 2);
    assert.match(badServer.stderr, /^ERROR: --server 'ftp:\/\/x' is not an origin/);
    const other = await f.cli('media asset list -a nosuchacct');
    assert.equal(other.code, 1);
    assert.equal(other.stderr, "ERROR: The Media Services account 'nosuchacct' was not found.\n");
    const wrongGroup = await f.cli('media asset list -a climedia -g elsewhere');
    assert.equal(wrongGroup.code, 1);
    assert.match(wrongGroup.stderr, /not found in the resource group 'elsewhere'/);

    // Two assets of one name: the name is ambiguous, the ids are not.
    const twin = await mediaJson<AzAsset>('asset create -n twin');
    const twin2 = await mediaJson<AzAsset>('asset create -n twin');
    await refused(
      1,
      new RegExp(`2 assets .* are named 'twin': give an id \\(${twin.v2Id}, ${twin2.v2Id}\\)`),
      'asset show --asset twin',
    );
    await mediaJson('asset delete --asset', twin.assetId);
    assert.equal((await mediaJson<AzAsset>('asset show --asset twin')).assetId, twin2.assetId);
    await mediaJson('asset delete --asset twin');
  });

  it('submits jobs: an unknown preset is refused, a queued job is shown, canceled and deleted', async () => {
    await refused(
      1,
      /Invalid value for property 'Configuration': 'No Such Preset' is not a Media Encoder Standard system preset/,
      'job create --input',
      asset.v2Id,
      '--preset',
      'No Such Preset',
    );
    const badFile = join(f.dataDir, 'bad-preset.json');
    writeFileSync(badFile, '{"Codecs": [');
    await refused(1, /not valid JSON/, 'job create --input', asset.v2Id, '--preset', `@${badFile}`);
    await refused(
      1,
      /preset file '\/no\/preset.json' could not be read/,
      'job create --input',
      asset.v2Id,
      '--preset',
      '@/no/preset.json',
    );
    await refused(
      1,
      /asset 'ghost' was not found/,
      'job create --input ghost --preset',
      'Adaptive Streaming',
    );
    await refused(
      2,
      /--priority.*whole number/,
      'job create --input',
      asset.v2Id,
      '--preset',
      'Adaptive Streaming',
      '--priority',
      'high',
    );
    assert.deepEqual(await mediaJson('job list'), [], 'a refused job leaves nothing behind');

    const job = await mediaJson<AzJob>(
      'job create --input',
      'My Clip',
      '--preset',
      'H264 Single Bitrate 720p',
      '--name',
      'to-cancel',
      '--output-name',
      'Canceled <output>',
      '--priority',
      '5',
    );
    assert.deepEqual(Object.keys(job), [
      'created',
      'endTime',
      'id',
      'input',
      'jobId',
      'lastModified',
      'name',
      'outputs',
      'priority',
      'resourceGroup',
      'runningDuration',
      'startTime',
      'state',
      'type',
      'v2Id',
    ]);
    assert.equal(job.state, 'Queued');
    assert.equal(job.name, 'to-cancel');
    assert.equal(job.priority, 5);
    assert.equal(job.id, `${accountId}/jobs/${job.jobId}`);
    assert.equal(job.v2Id, `nb:jid:UUID:${job.jobId}`);
    assert.equal(job.type, 'Microsoft.Media/mediaservices/jobs');
    assert.deepEqual(job.input, {
      '@odata.type': '#Microsoft.Media.JobInputAsset',
      assetId: asset.assetId,
      assetName: 'My Clip',
      label: null,
    });
    assert.equal(job.outputs.length, 1);
    const [output] = job.outputs;
    assert.equal(output?.['@odata.type'], '#Microsoft.Media.JobOutputAsset');
    assert.equal(output?.assetName, 'Canceled <output>');
    assert.equal(output?.preset, 'H264 Single Bitrate 720p');
    assert.equal(output?.label, 'H264 Single Bitrate 720p');
    assert.equal(output?.state, 'Queued');
    assert.equal(output?.error, null);
    // The output asset exists as soon as the job does.
    assert.equal(
      (await mediaJson<AzAsset>('asset show --asset', output?.assetId ?? '')).name,
      'Canceled <output>',
    );

    assert.deepEqual(await mediaJson('job show --job', job.jobId), job);
    assert.deepEqual(await mediaJson('job list'), [job]);
    await refused(1, /has not finished; cancel it/, 'job delete --job', job.v2Id);
    // An asset a running job reads may not go.
    await refused(1, /is used by job/, 'asset delete --asset', asset.v2Id);

    const canceled = await mediaJson<AzJob>('job cancel --job', job.v2Id);
    assert.equal(canceled.state, 'Canceled');
    assert.equal(canceled.outputs[0]?.state, 'Canceled');
    assert.match(canceled.endTime ?? '', AZ_TIME);
    await refused(1, /cannot be canceled: it is already Canceled/, 'job cancel --job', job.jobId);
    assert.deepEqual(
      (await mediaJson<AzJob[]>('job list --state canceled')).map((j) => j.jobId),
      [job.jobId],
    );
    assert.deepEqual(await mediaJson('job list --state queued'), []);
    await mediaJson('job delete --job', job.jobId);
    await refused(1, new RegExp(`job '${job.jobId}' was not found`), 'job show --job', job.jobId);
    await refused(1, /job 'not-an-id' was not found/, 'job show --job not-an-id');

    // Left queued for the server started next: its runner picks it up when it starts.
    queuedJob = await mediaJson<AzJob>(
      'job create --input',
      asset.v2Id,
      '--preset',
      'H264 Single Bitrate 720p',
    );
    assert.equal(queuedJob.state, 'Queued');
    assert.match(queuedJob.outputs[0]?.assetName ?? '', /^JobOutputAsset\(0\)_nb:jid:UUID:/);
  });

  it('creates locators whose URLs a server on the same data folder answers', async () => {
    server = await startServer({
      dataDir: f.dataDir,
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: process.env.TESSERA_TEST_LOG_LEVEL ?? 'silent' }),
    });
    origin = server.origin;

    const sas = await mediaJson<AzLocator>(
      'locator create --asset',
      asset.v2Id,
      '--type',
      'sas',
      '--duration-minutes',
      '30',
    );
    assert.equal(sas.locatorType, 'Sas');
    assert.equal(sas.permissions, 'Read');
    assert.equal(sas.type, 'Microsoft.Media/mediaservices/locators');
    assert.equal(sas.id, `${accountId}/locators/${sas.streamingLocatorId}`);
    assert.equal(sas.assetId, asset.assetId);
    assert.equal(sas.baseUri, `${accountRoot()}/blob/${asset.container}`);
    assert.match(
      sas.contentAccessComponent,
      /^\?sv=2012-02-12&sr=c&si=[0-9a-f-]{36}&sig=[^&]+&se=[^&]+&sp=r$/,
    );
    assert.equal(sas.path, `${sas.baseUri}${sas.contentAccessComponent}`);
    const endsIn = Date.parse(sas.endTime) - Date.now();
    assert.ok(endsIn > 25 * 60_000 && endsIn <= 30 * 60_000, sas.endTime);
    assert.deepEqual(sas.downloadPaths, [
      `${sas.baseUri}/clip.mp4${sas.contentAccessComponent}`,
      `${sas.baseUri}/greeting.txt${sas.contentAccessComponent}`,
    ]);
    assert.deepEqual(sas.streamingPaths, []);

    const download = await fetch(sas.downloadPaths[1] ?? '');
    assert.equal(download.status, 200, await download.clone().text());
    assert.equal(await download.text(), CONTENT);
    // The signature is the credential: a forged one is refused.
    const forged = (sas.downloadPaths[1] ?? '').replace(/sig=[^&]+/, 'sig=AAAA');
    assert.equal((await fetch(forged)).status, 403);

    // A streaming locator: the asset has no .ism yet, so only files; with one, HLS/DASH/Smooth URLs.
    const manifest = join(f.dataDir, 'movie.ism');
    writeFileSync(manifest, '<?xml version="1.0" encoding="utf-8"?><smil/>');
    await mediaJson('asset upload --asset', asset.v2Id, '--file', manifest);
    const streaming = await mediaJson<AzLocator>('locator create --asset', 'My Clip', '--name', 'web');
    assert.equal(streaming.locatorType, 'OnDemandOrigin');
    assert.equal(streaming.type, 'Microsoft.Media/mediaservices/streamingLocators');
    assert.equal(streaming.name, 'web');
    assert.equal(streaming.baseUri, `${accountRoot()}/streaming`);
    assert.equal(streaming.contentAccessComponent, streaming.streamingLocatorId);
    assert.equal(streaming.path, `${accountRoot()}/streaming/${streaming.streamingLocatorId}/`);
    const thirtyDays = Date.parse(streaming.endTime) - Date.now();
    assert.ok(thirtyDays > 43_190 * 60_000 && thirtyDays <= 43_200 * 60_000, streaming.endTime);
    assert.deepEqual(streaming.downloadPaths, [`${streaming.path}clip.mp4`]);
    assert.deepEqual(streaming.streamingPaths, [
      {
        encryptionScheme: 'NoEncryption',
        paths: [`${streaming.path}movie.ism/manifest(format=m3u8-aapl)`],
        streamingProtocol: 'Hls',
      },
      {
        encryptionScheme: 'NoEncryption',
        paths: [`${streaming.path}movie.ism/manifest(format=mpd-time-csf)`],
        streamingProtocol: 'Dash',
      },
      {
        encryptionScheme: 'NoEncryption',
        paths: [`${streaming.path}movie.ism/manifest`],
        streamingProtocol: 'SmoothStreaming',
      },
    ]);
    // Progressive download through the origin returns the uploaded bytes too.
    const progressive = await fetch(streaming.downloadPaths[0] ?? '');
    assert.equal(progressive.status, 200);
    assert.equal(await progressive.text(), CONTENT);

    // The API's rules hold: a streaming locator may not write.
    await refused(
      1,
      /OnDemandOrigin locator requires an access policy with Read or List/,
      'locator create --asset',
      asset.v2Id,
      '--permissions',
      'read,write',
    );
    await refused(
      2,
      /--permissions.*expected read, write, delete or list/,
      'locator create --asset',
      asset.v2Id,
      '--permissions',
      'all',
    );
    await refused(
      2,
      /--type.*Allowed choices are sas, streaming/,
      'locator create --asset',
      asset.v2Id,
      '--type',
      'ftp',
    );

    const listed = await mediaJson<AzLocator[]>('locator list --asset', asset.assetId);
    assert.deepEqual(
      listed.map((l) => l.v2Id),
      [sas.v2Id, streaming.v2Id],
    );
    assert.deepEqual(listed[1], streaming);

    // Deleting the SAS locator (and the policy made for it): the URL stops working.
    await mediaJson('locator delete --locator', sas.streamingLocatorId);
    assert.deepEqual(
      (await mediaJson<AzLocator[]>('locator list')).map((l) => l.v2Id),
      [streaming.v2Id],
    );
    let status = 200;
    for (let i = 0; i < 50 && status === 200; i++) {
      status = (await fetch(sas.downloadPaths[1] ?? '')).status;
      if (status === 200) await sleep(50);
    }
    assert.equal(status, 403);
    await refused(1, /locator '.*' was not found/, 'locator delete --locator', sas.v2Id);
  });

  it('leaves queued jobs to the server: its runner started the job queued before it', async () => {
    // The input is a text file, not media: the encode ends in Error, with the encoder's reason.
    let job = queuedJob;
    for (let i = 0; i < 300 && !['Finished', 'Error', 'Canceled'].includes(job.state); i++) {
      await sleep(200);
      job = await mediaJson<AzJob>('job show --job', queuedJob.jobId);
    }
    assert.equal(job.state, 'Error');
    assert.match(job.startTime ?? '', AZ_TIME);
    assert.equal(job.outputs[0]?.state, 'Error');
    assert.ok(job.outputs[0]?.error?.code, JSON.stringify(job.outputs[0]));
    await mediaJson('job delete --job', job.jobId);
  });

  it('a job the CLI submits while the server runs is picked up by the server', async () => {
    // Nothing in the server's process wakes its runner: it notices the store's change counter.
    const submitted = await mediaJson<AzJob>(
      'job create --input',
      asset.v2Id,
      '--preset',
      'AAC Good Quality Audio',
    );
    let job = submitted;
    for (let i = 0; i < 300 && ['Queued', 'Scheduled'].includes(job.state); i++) {
      await sleep(100);
      job = await mediaJson<AzJob>('job show --job', submitted.jobId);
    }
    assert.notEqual(job.state, 'Queued', 'the running server started the job');
    for (let i = 0; i < 300 && !['Finished', 'Error', 'Canceled'].includes(job.state); i++) {
      await sleep(200);
      job = await mediaJson<AzJob>('job show --job', submitted.jobId);
    }
    assert.ok(['Finished', 'Error'].includes(job.state), `ended ${job.state}`);
    await mediaJson('job delete --job', job.jobId);
    // Output assets outlive their job, as on Azure: this one goes too, so later counts hold.
    await mediaJson('asset delete --asset', job.outputs[0]?.assetId ?? 'missing');
  });

  it('deletes the asset: its files and streaming URLs go with it', async () => {
    const [streaming] = await mediaJson<AzLocator[]>('locator list --asset', asset.assetId);
    // (Every assert.ok here has a message: without one, node's assert reads the tsx-compiled source.)
    assert.ok(streaming, 'the streaming locator of the previous test');
    await mediaJson('asset delete --asset', asset.v2Id);
    await refused(1, /asset .* was not found/, 'asset show --asset', asset.v2Id);
    let status = 200;
    for (let i = 0; i < 50 && status === 200; i++) {
      status = (await fetch(streaming.downloadPaths[0] ?? '')).status;
      if (status === 200) await sleep(50);
    }
    assert.equal(status, 404);
    // The output assets of the jobs stay, as Azure kept them.
    assert.deepEqual(
      (await mediaJson<AzAsset[]>('asset list')).map((a) => a.name),
      ['Canceled <output>', `JobOutputAsset(0)_${queuedJob.v2Id}`],
    );
  });
});
