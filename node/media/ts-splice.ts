// TsSplice: MPEG-TS units of several sources (a live SRT caller, a slate clip, the caller back)
// made into one stream an ffmpeg reads as one, the MPEG-TS counterpart of FlvSplice. The first
// source's PAT and PMT are the stream's; a later source's video and audio PIDs are mapped onto
// them by kind, its own tables dropped (ffmpeg would take a new program's streams as new ones, and
// map none of them). Each cut moves the new source's clocks (PTS, DTS, PCR) so its first video
// frame follows the last one out by one frame; audio that would go back (start before the end of
// the last audio PES out: ADTS frames say how long a PES plays) is dropped PES by PES.
// Continuity counters are renumbered per output PID. Other PIDs (SDT, data) are left out. A cut
// into HEVC goes through HevcCutIn (./hevc-cut-in.ts): a CRA keyframe becomes a BLA, its RASL
// pictures are dropped.
import type { TsUnit } from "../defs/ts-unit.js";
import { adtsTicks } from "./adts.js";
import { HevcCutIn } from "./hevc-cut-in.js";
import {
  kindOf,
  PAT_PID,
  type PacketHeader,
  packetHeader,
  pesStart,
  pmtPidOf,
  streamsOf,
  TS_PACKET,
} from "./mpegts.js";
import { clocksOf, shiftClocks, ticksAfter, wrapTicks } from "./ts-timing.js";

/** A video frame at 30 fps, in 90 kHz ticks: the step after a cut until one is measured. */
const DEFAULT_STEP = 3_000;
/** Larger steps between video frames are gaps, not frame lengths (100 ms). */
const MAX_STEP = 9_000;
/** An audio PES may start this much (0.5 ms) before the last one's computed end: rounding. */
const AUDIO_SLACK = 45;

type TableUnit = Extract<TsUnit, { kind: "pat" | "pmt" }>;

interface Tables {
  readonly pat: TableUnit;
  readonly pmt: TableUnit;
  readonly video: number | null;
  readonly audio: number | null;
}

export class TsSplice {
  /** The output's tables and PIDs (the first source's). */
  private out: Tables | null = null;
  /** The current source's PAT, then its tables once its PMT is known. */
  private sourcePat: TableUnit | null = null;
  /** Source PID -> output PID, for the current source. */
  private pids = new Map<number, number>();
  /** 90 kHz ticks added to the current source's clocks. */
  private shift = 0;
  /** The last video decoding time out, and the latest presentation time out. */
  private lastVideo: number | null = null;
  private lastPresented: number | null = null;
  private step = DEFAULT_STEP;
  /** The audio PES going out: its start and its elementary stream bytes (where it ends). */
  private audioPes: { pts: number; data: Buffer[] } | null = null;
  /** The current audio PES is being dropped (it would go back). */
  private droppingAudio = false;
  private readonly counters = new Map<number, number>();
  /** Cuts into HEVC (not the first source): open-GOP keyframes made safe to start on. */
  private readonly cutIn = new HevcCutIn();

  /** The output's video is HEVC (stream type 0x24). */
  private get hevc(): boolean {
    const out = this.out;
    return (
      out !== null && streamsOf(out.pmt.section).some((s) => s.pid === out.video && s.streamType === 0x24)
    );
  }

  constructor(private readonly emit: (unit: TsUnit) => void) {}

  /** The current source's next unit. */
  pass(unit: TsUnit): void {
    if (unit.kind === "media") this.media(unit);
    else this.table(unit);
  }

  /** A new source: its tables (`init`), then its units from a keyframe on, its clocks moved to follow. */
  cut(init: readonly TsUnit[], units: readonly TsUnit[]): void {
    this.pids = new Map();
    this.droppingAudio = false;
    if (this.lastVideo !== null && this.hevc) this.cutIn.cut();
    for (const unit of init) if (unit.kind !== "media") this.table(unit);
    const first = units.find((unit) => unit.kind === "media");
    const start = first && this.firstVideoClocks(first);
    this.shift = 0;
    if (start && this.lastVideo !== null && this.lastPresented !== null) {
      // Decoded one frame after the last frame decoded, and presented after the last one presented
      // (B-frames of the old source may be presented after its last decoding time).
      const decode = this.lastVideo + this.step - start.dts;
      const present = this.lastPresented + this.step - start.pts;
      this.shift = wrapTicks(ticksAfter(present, decode) > 0 ? present : decode);
    }
    for (const unit of units) this.pass(unit);
  }

  private table(unit: TableUnit): void {
    if (unit.kind === "pat") {
      this.sourcePat = unit;
      return;
    }
    if (!this.sourcePat) return;
    const streams = streamsOf(unit.section);
    const video = streams.find((s) => kindOf(s.streamType).kind === "video")?.pid ?? null;
    const audio = streams.find((s) => kindOf(s.streamType).kind === "audio")?.pid ?? null;
    if (!this.out) {
      this.out = { pat: this.sourcePat, pmt: unit, video, audio };
      for (const [table, pid] of [
        [this.sourcePat, PAT_PID],
        [unit, pmtPidOf(this.sourcePat.section) ?? PAT_PID],
      ] as const) {
        const bytes = Buffer.from(table.bytes);
        this.write(bytes, pid);
        this.emit({ ...table, bytes });
      }
    }
    this.pids = new Map();
    if (video !== null && this.out.video !== null) this.pids.set(video, this.out.video);
    if (audio !== null && this.out.audio !== null) this.pids.set(audio, this.out.audio);
  }

  private media(unit: Extract<TsUnit, { kind: "media" }>): void {
    const copies: Buffer[] = [];
    for (let at = 0; at + TS_PACKET <= unit.bytes.length; at += TS_PACKET) {
      copies.push(Buffer.from(unit.bytes.subarray(at, at + TS_PACKET)));
    }
    const video = this.videoSource;
    const onVideo = (packet: Buffer) => packetHeader(packet)?.pid === video;
    const verdict =
      video !== undefined && this.cutIn.active ? this.cutIn.frame(copies.filter(onVideo)) : "keep";
    const kept = verdict === "drop" ? copies.filter((packet) => !onVideo(packet)) : copies;
    const packets = kept.filter((packet) => this.packet(packet));
    if (packets.length === 0) return;
    this.emit({
      ...unit,
      bytes: Buffer.concat(packets),
      timestamp: unit.timestamp + Math.round(this.shift / 90),
    });
  }

  /** One packet of the current source, mapped and moved in place; false when it is left out. */
  private packet(packet: Buffer): boolean {
    const header = packetHeader(packet);
    const pid = header ? this.pids.get(header.pid) : undefined;
    if (!header || pid === undefined || !this.out) return false;
    if (this.shift !== 0) shiftClocks(packet, this.shift);
    const { pts, dts } = clocksOf(packet);
    if (pid === this.out.audio) {
      if (header.unitStart && pts !== null) {
        const end = this.audioEnd();
        this.droppingAudio = end !== null && ticksAfter(pts, end) < -AUDIO_SLACK;
        if (!this.droppingAudio) this.audioPes = { pts, data: [] };
      }
      if (this.droppingAudio) return false;
      this.audioPes?.data.push(elementaryBytes(packet, header));
    } else if (header.unitStart && pts !== null) {
      const clock = dts ?? pts;
      const step = this.lastVideo === null ? 0 : ticksAfter(clock, this.lastVideo);
      if (step > 0 && step <= MAX_STEP) this.step = step;
      this.lastVideo = clock;
      if (this.lastPresented === null || ticksAfter(pts, this.lastPresented) > 0) this.lastPresented = pts;
    }
    this.write(packet, pid);
    return true;
  }

  /** Where the last audio PES out ends (90 kHz); for audio other than ADTS, just past its start. */
  private audioEnd(): number | null {
    const pes = this.audioPes;
    if (pes === null) return null;
    return pes.pts + (adtsTicks(Buffer.concat(pes.data)) ?? AUDIO_SLACK + 1);
  }

  /** Sets the packet's PID and its next continuity counter (tables are emitted as they are). */
  private write(packet: Buffer, pid: number): void {
    packet[1] = ((packet[1] as number) & 0xe0) | (pid >> 8);
    packet[2] = pid & 0xff;
    const hasPayload = ((packet[3] as number) & 0x10) !== 0;
    const previous = this.counters.get(pid);
    const counter =
      previous === undefined ? (packet[3] as number) & 0x0f : (previous + (hasPayload ? 1 : 0)) & 0x0f;
    this.counters.set(pid, counter);
    packet[3] = ((packet[3] as number) & 0xf0) | counter;
  }

  /** The current source's video PID. */
  private get videoSource(): number | undefined {
    return [...this.pids].find(([, out]) => out === this.out?.video)?.[0];
  }

  /** The first video frame's clocks in a unit of the new source (before any shift). */
  private firstVideoClocks(unit: TsUnit): { pts: number; dts: number } | null {
    const source = this.videoSource;
    for (let at = 0; at + TS_PACKET <= unit.bytes.length; at += TS_PACKET) {
      const packet = unit.bytes.subarray(at, at + TS_PACKET);
      const header = packetHeader(packet);
      if (!header || header.pid !== source || !header.unitStart) continue;
      const { pts, dts } = clocksOf(packet);
      if (pts !== null) return { pts, dts: dts ?? pts };
    }
    return null;
  }
}

/** The elementary stream bytes of a packet: its payload, past the PES header where one starts. */
function elementaryBytes(packet: Buffer, header: PacketHeader): Buffer {
  const payload = packet.subarray(header.payloadOffset);
  return header.unitStart ? payload.subarray(pesStart(payload)?.dataOffset ?? 0) : payload;
}
