/**
 * SCTE 35 splice_info_section with a splice_insert command: the binary cue that HLS's
 * `EXT-X-DATERANGE` (SCTE35-OUT / SCTE35-IN, as hex) and DASH's `urn:scte:scte35:2014:xml+bin`
 * events (as base64) carry. Immediate splices (no PTS: the segment the tag sits on is the splice
 * point), with the break's duration on the out cue, and the MPEG-2 CRC-32 the standard requires.
 */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    table[i] = crc >>> 0;
  }
  return table;
})();

/** CRC-32/MPEG-2: polynomial 0x04C11DB7, initial 0xFFFFFFFF, not reflected, no final xor. */
export function crc32Mpeg2(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  return crc >>> 0;
}

/** Bits written most significant first. */
class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private used = 0;

  write(value: number | bigint, bits: number): void {
    const big = BigInt(value);
    for (let i = bits - 1; i >= 0; i--) {
      this.current = (this.current << 1) | Number((big >> BigInt(i)) & 1n);
      if (++this.used === 8) {
        this.bytes.push(this.current);
        this.current = 0;
        this.used = 0;
      }
    }
  }

  toBuffer(): Buffer {
    if (this.used !== 0) throw new Error('bit writer not byte aligned');
    return Buffer.from(this.bytes);
  }
}

export interface SpliceInsert {
  eventId: number;
  /** true: the out cue (into the break); false: the in cue (back to the program). */
  outOfNetwork: boolean;
  /** Seconds; on the out cue. */
  durationSeconds?: number;
}

export function spliceInsert(splice: SpliceInsert): Buffer {
  const command = new BitWriter();
  command.write(splice.eventId >>> 0, 32);
  command.write(0, 1); // splice_event_cancel_indicator
  command.write(0x7f, 7);
  const hasDuration = splice.outOfNetwork && splice.durationSeconds !== undefined;
  command.write(splice.outOfNetwork ? 1 : 0, 1);
  command.write(1, 1); // program_splice_flag
  command.write(hasDuration ? 1 : 0, 1);
  command.write(1, 1); // splice_immediate_flag
  command.write(0xf, 4);
  if (hasDuration) {
    command.write(1, 1); // auto_return
    command.write(0x3f, 6);
    command.write(BigInt(Math.round((splice.durationSeconds ?? 0) * 90_000)), 33);
  }
  command.write(0, 16); // unique_program_id
  command.write(0, 8); // avail_num
  command.write(0, 8); // avails_expected
  const commandBytes = command.toBuffer();

  const body = new BitWriter();
  body.write(0, 8); // protocol_version
  body.write(0, 1); // encrypted_packet
  body.write(0, 6); // encryption_algorithm
  body.write(0, 33); // pts_adjustment
  body.write(0, 8); // cw_index
  body.write(0xfff, 12); // tier
  body.write(commandBytes.length, 12);
  body.write(0x05, 8); // splice_insert
  const head = body.toBuffer();

  const tail = Buffer.alloc(2); // descriptor_loop_length = 0
  // section_length counts everything after its own field, the CRC included.
  const sectionLength = head.length + commandBytes.length + tail.length + 4;
  const start = new BitWriter();
  start.write(0xfc, 8); // table_id
  start.write(0, 1); // section_syntax_indicator
  start.write(0, 1); // private_indicator
  start.write(3, 2); // sap_type: not specified
  start.write(sectionLength, 12);
  const section = Buffer.concat([start.toBuffer(), head, commandBytes, tail]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32Mpeg2(section));
  return Buffer.concat([section, crc]);
}
