import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileAllowList, normalizeAddress } from '../../src/media/live/ipAllowList.js';
import { AmfError, decodeAmf0, encodeAmf0 } from '../../src/media/live/rtmp/amf0.js';
import {
  ChunkReader,
  ChunkWriter,
  MessageType,
  RtmpProtocolError,
} from '../../src/media/live/rtmp/chunkStream.js';
import { flvHeader, flvTag } from '../../src/media/live/rtmp/flv.js';
import type { LiveSegment, Run, RunTrack } from '../../src/media/live/segments/run.js';
import { liveLadder } from '../../src/media/live/segments/liveLadder.js';
import { ChannelTimeline } from '../../src/media/live/timeline/channelTimeline.js';
import { crc32Mpeg2, spliceInsert } from '../../src/media/live/timeline/scte35.js';

describe('live pipeline units', () => {
  test('IP allow lists: CIDR in IPv4 and IPv6, single addresses, IPv4-mapped peers, null and empty lists', () => {
    const check = compileAllowList([
      { name: 'lan', address: '192.168.10.0', subnetPrefixLength: 24 },
      { name: 'host', address: '203.0.113.7', subnetPrefixLength: null },
      { name: 'v6', address: '2001:db8::', subnetPrefixLength: 32 },
      { name: 'mapped', address: '::ffff:198.51.100.0', subnetPrefixLength: 120 },
    ]);
    assert.equal(check('192.168.10.99'), true);
    assert.equal(check('192.168.11.1'), false);
    assert.equal(check('::ffff:192.168.10.5'), true, 'an IPv4 peer on a dual-stack socket');
    assert.equal(check('203.0.113.7'), true);
    assert.equal(check('203.0.113.8'), false);
    assert.equal(check('2001:db8:1::5'), true);
    assert.equal(check('2001:db9::1'), false);
    assert.equal(check('198.51.100.200'), true, 'a rule written as mapped IPv6 with a /120');
    assert.equal(check('198.51.101.1'), false);
    assert.equal(check(undefined), false);
    assert.equal(check('not an address'), false);
    assert.equal(compileAllowList(null)('8.8.8.8'), true, 'no list: everyone');
    assert.equal(compileAllowList([])('127.0.0.1'), false, 'an empty list: no one');
    assert.equal(normalizeAddress('fe80::1%eth0'), 'fe80::1');
    assert.throws(
      () => compileAllowList([{ name: 'x', address: '300.1.1.1', subnetPrefixLength: 8 }]),
      /not an IPv4 or IPv6/,
    );
    assert.throws(
      () => compileAllowList([{ name: 'x', address: '10.0.0.0', subnetPrefixLength: 33 }]),
      /out of range/,
    );
    assert.throws(
      () => compileAllowList([{ name: 'x', address: '::1', subnetPrefixLength: 129 }]),
      /out of range/,
    );
  });

  test('AMF0 round-trips what RTMP commands carry and refuses what it cannot read', () => {
    const values = [
      'connect',
      1,
      { app: 'live', tcUrl: 'rtmp://h/live', fpad: false, nested: { list: [1, 'two', null] } },
      null,
      undefined,
    ];
    const decoded = decodeAmf0(encodeAmf0(...values));
    assert.deepEqual(JSON.parse(JSON.stringify(decoded)), JSON.parse(JSON.stringify(values)));
    // An ECMA array (onMetaData) reads as an object; __proto__ stays a plain key.
    const ecma = Buffer.concat([
      Buffer.from([0x08, 0, 0, 0, 1, 0, 9]),
      Buffer.from('__proto__'),
      Buffer.from([0x00, 0x40, 0x59, 0, 0, 0, 0, 0, 0, 0, 0, 9]),
    ]);
    const [meta] = decodeAmf0(ecma) as [Record<string, unknown>];
    assert.equal(Object.getOwnPropertyDescriptor(meta, '__proto__')?.value, 100);
    assert.throws(() => decodeAmf0(Buffer.from([0x02, 0x00, 0x05, 0x61])), AmfError);
    assert.throws(() => decodeAmf0(Buffer.from([0x11])), /unsupported AMF0 marker 0x11/);
    assert.throws(() => decodeAmf0(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff])), AmfError);
  });

  test('the chunk reader reassembles interleaved, split, extended-timestamp messages and follows Set Chunk Size', () => {
    const writer = new ChunkWriter();
    const big = Buffer.alloc(1000, 7);
    const setChunkSize = Buffer.alloc(4);
    setChunkSize.writeUInt32BE(300);
    const bytes = Buffer.concat([
      writer.encode(4, { typeId: MessageType.video, streamId: 1, timestamp: 0x1234567, payload: big }),
      writer.encode(2, {
        typeId: MessageType.setChunkSize,
        streamId: 0,
        timestamp: 0,
        payload: setChunkSize,
      }),
      (() => {
        writer.chunkSize = 300;
        return writer.encode(5, {
          typeId: MessageType.audio,
          streamId: 1,
          timestamp: 40,
          payload: Buffer.alloc(700, 3),
        });
      })(),
    ]);
    // Fed one byte at a time, and in one piece: the same messages.
    for (const pieces of [[...bytes].map((b) => Buffer.from([b])), [bytes]]) {
      const reader = new ChunkReader();
      const messages = pieces.flatMap((piece) => reader.push(piece));
      assert.deepEqual(
        messages.map((m) => [m.typeId, m.streamId, m.timestamp, m.payload.length]),
        [
          [MessageType.video, 1, 0x1234567, 1000],
          [MessageType.setChunkSize, 0, 0, 4],
          [MessageType.audio, 1, 40, 700],
        ],
      );
      assert.ok(messages[0]!.payload.equals(big));
    }
    // A type-3 chunk that starts a message adds the previous delta (type 1 header: delta 40).
    const reader = new ChunkReader();
    const first = Buffer.from([0x06, 0, 0, 10, 0, 0, 2, MessageType.audio, 1, 0, 0, 0, 0xaa, 0xbb]);
    const delta = Buffer.from([0x46, 0, 0, 40, 0, 0, 2, MessageType.audio, 0xcc, 0xdd]);
    const again = Buffer.from([0xc6, 0xee, 0xff]);
    assert.deepEqual(
      reader.push(Buffer.concat([first, delta, again])).map((m) => m.timestamp),
      [10, 50, 90],
    );
    assert.throws(() => new ChunkReader().push(Buffer.from([0x47, 0, 0, 0, 0, 0, 1, 8])), RtmpProtocolError);
    const huge = Buffer.from([0x04, 0, 0, 0, 0xff, 0xff, 0xff, 9, 1, 0, 0, 0]);
    assert.throws(() => new ChunkReader().push(huge), /too large/);
    // Unfinished messages on many chunk streams cannot pile up without bound.
    const flood = new ChunkReader();
    const chunkSize = Buffer.alloc(4);
    chunkSize.writeUInt32BE(4 * 1024 * 1024);
    flood.push(
      new ChunkWriter().encode(2, {
        typeId: MessageType.setChunkSize,
        streamId: 0,
        timestamp: 0,
        payload: chunkSize,
      }),
    );
    assert.throws(() => {
      for (let csid = 3; csid < 20; csid++) {
        const header = Buffer.from([csid, 0, 0, 0, 0x7f, 0xff, 0xff, 9, 1, 0, 0, 0]);
        flood.push(Buffer.concat([header, Buffer.alloc(4 * 1024 * 1024)]));
      }
    }, /too many unfinished RTMP messages/);
  });

  test('FLV tags carry 32-bit timestamps in 24 + 8 bits and their previous-tag size', () => {
    assert.deepEqual(
      [...flvHeader({ audio: true, video: true })],
      [0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0],
    );
    const tag = flvTag({ type: 9, timestamp: 0x12345678, data: Buffer.from([1, 2, 3]) });
    assert.deepEqual([...tag.subarray(0, 11)], [9, 0, 0, 3, 0x34, 0x56, 0x78, 0x12, 0, 0, 0]);
    assert.equal(tag.readUInt32BE(14), 14);
  });

  test('SCTE-35 splice_insert: section layout, break duration in 90 kHz ticks, MPEG-2 CRC', () => {
    assert.equal(crc32Mpeg2(Buffer.from('123456789')), 0x0376e6e7);
    const out = spliceInsert({ eventId: 42, outOfNetwork: true, durationSeconds: 30 });
    assert.equal(out[0], 0xfc);
    assert.equal(out.readUInt16BE(1) & 0x0fff, out.length - 3, 'section_length');
    assert.equal(crc32Mpeg2(out), 0, 'a section with its CRC checks to zero');
    assert.equal(out[13], 0x05, 'splice_insert');
    assert.equal(out.readUInt32BE(14), 42);
    assert.equal(out[19]! & 0xf0, 0xf0, 'out of network, program splice, duration, immediate');
    const ticks = (BigInt(out[20]! & 1) << 32n) | BigInt(out.readUInt32BE(21));
    assert.equal(ticks, 30n * 90_000n);
    const back = spliceInsert({ eventId: 42, outOfNetwork: false });
    assert.equal(back[19]! & 0xf0, 0x50, 'in: program splice, immediate');
    assert.equal(crc32Mpeg2(back), 0);
  });

  test('the Standard ladder: one layer per height of the 720p preset, at most three, none taller than the source', () => {
    assert.deepEqual(
      liveLadder(720).map((l) => [l.width, l.height, l.bitrate]),
      [
        [1280, 720, 3400],
        [960, 540, 2250],
        [640, 360, 1000],
      ],
    );
    assert.deepEqual(
      liveLadder(1080).map((l) => l.height),
      [720, 540, 360],
    );
    assert.deepEqual(
      liveLadder(360).map((l) => l.height),
      [360, 180],
    );
    assert.deepEqual(
      liveLadder(100).map((l) => l.height),
      [180],
      'a tiny source still gets one layer',
    );
    assert.deepEqual(
      liveLadder(undefined).map((l) => l.height),
      [720, 540, 360],
    );
  });

  test('the timeline: spans hide what a slate replaces, discontinuities and cues are placed once per slot', () => {
    let number = 0;
    const fakeRun = (kind: 'live' | 'slate', id: string) => ({ id, kind, offset: 0 }) as unknown as Run;
    const fakeTrack = (name: string) =>
      ({ plan: { name, kind: name === 'audio' ? 'audio' : 'video' } }) as RunTrack;
    const segment = (start: number): LiveSegment => ({
      number: number++,
      path: '',
      size: 1,
      time: start * 1000,
      duration: 2000,
      start,
      end: start + 2,
    });
    const timeline = new ChannelTimeline(1);
    const live = fakeRun('live', 'a');
    const slate = fakeRun('slate', 'b');
    const video = fakeTrack('video_0');
    const slateVideo = fakeTrack('video_0');
    timeline.open(live, 0);
    assert.equal(timeline.append(live, video, segment(0)), true);
    assert.equal(timeline.append(live, video, segment(2)), true);
    timeline.startBreak(7, 4, 4, Date.now());
    timeline.open(slate, 4);
    assert.equal(timeline.append(live, video, segment(4)), false, 'hidden under the slate');
    assert.equal(timeline.append(slate, slateVideo, segment(4)), true);
    assert.equal(timeline.append(slate, slateVideo, segment(6)), true);
    timeline.open(live, 8);
    assert.equal(timeline.append(live, video, segment(1)), false, 'older than what is shown');
    assert.equal(timeline.append(live, video, segment(8)), true);
    const entries = timeline.entries('video_0');
    assert.deepEqual(
      entries.map((e) => [
        e.seq,
        e.cc,
        e.discontinuity,
        e.segment.start,
        e.cues.map((c) => c.kind).join('+'),
      ]),
      [
        [0, 0, false, 0, ''],
        [1, 0, false, 2, ''],
        [2, 1, true, 4, 'out'],
        [3, 1, false, 6, 'cont'],
        [4, 2, true, 8, 'in'],
      ],
    );
    timeline.trim(6.5);
    assert.deepEqual(
      timeline.entries('video_0').map((e) => e.seq),
      [3, 4],
    );
  });
});
