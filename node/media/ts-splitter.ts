// An MPEG-TS byte stream cut into hub units: the PAT and the PMT each as an init unit, and a media
// unit from one video PES start to the next (the audio and other packets in between ride along).
// A unit is a keyframe when its video PES carries the random-access indicator or, failing that,
// when its first coded slice is an IDR (H.264) or IRAP (HEVC) picture. A stream without video
// cuts at each audio PES start instead, every unit a keyframe. Null packets are dropped.

import type { TsUnit } from "../defs/ts-unit.js";
import {
  type ElementaryStream,
  kindOf,
  NULL_PID,
  PAT_PID,
  packetHeader,
  pesStart,
  pmtPidOf,
  SYNC_BYTE,
  sectionOf,
  streamsOf,
  TS_PACKET,
  type TsVideoCodec,
} from "./mpegts.js";
import { firstSliceVerdict, type SliceVerdict } from "./nal.js";

export type { TsUnit };

/** How far into a frame we look for its first slice before calling it not a keyframe. */
const MAX_SLICE_SCAN_BYTES = 64 * 1024;
/**
 * A unit is cut here even without the next video PES start (a stream that never starts one would
 * otherwise grow one unit without bound); what follows is a unit of its own, not a keyframe.
 */
export const MAX_UNIT_BYTES = 8 * 1024 * 1024;

interface Building {
  readonly packets: Buffer[];
  verdict: SliceVerdict;
  readonly videoFrame: boolean;
  readonly timestamp: number;
  /** Video bytes gathered while the verdict is unknown. */
  head: Buffer;
  audioBytes: number;
}

export class TsSplitter {
  private rest: Buffer = Buffer.alloc(0);
  private pmtPid: number | null = null;
  private video: { pid: number; codec: TsVideoCodec | null } | null = null;
  private audioPid: number | null = null;
  private current: Building | null = null;
  private lastTimestamp = 0;
  private elementary: readonly ElementaryStream[] = [];

  /** The elementary streams of the latest PMT (empty before the first). */
  get streams(): readonly ElementaryStream[] {
    return this.elementary;
  }

  /** Bytes in any chunking; returns the units they complete. */
  push(chunk: Buffer): TsUnit[] {
    const data = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk]);
    const units: TsUnit[] = [];
    let at = 0;
    while (at + TS_PACKET <= data.length) {
      if (data[at] !== SYNC_BYTE) {
        // Lost sync: skip to the next sync byte.
        const next = data.indexOf(SYNC_BYTE, at + 1);
        at = next === -1 ? data.length : next;
        continue;
      }
      this.packet(data.subarray(at, at + TS_PACKET), units);
      at += TS_PACKET;
    }
    this.rest = Buffer.from(data.subarray(at));
    return units;
  }

  /** The stream ended: the unit being built is complete. */
  end(): TsUnit[] {
    const units: TsUnit[] = [];
    this.flush(units);
    return units;
  }

  private packet(packet: Buffer, units: TsUnit[]): void {
    const header = packetHeader(packet);
    if (header === null || header.pid === NULL_PID) return;
    const payload = packet.subarray(header.payloadOffset);
    if (header.pid === PAT_PID || header.pid === this.pmtPid) {
      const section = header.unitStart ? sectionOf(payload) : null;
      if (section !== null) {
        this.table(header.pid === PAT_PID ? "pat" : "pmt", packet, section, units);
        return;
      }
    }
    const cutPid = this.video?.pid ?? this.audioPid;
    if (header.pid === cutPid && header.unitStart) {
      this.flush(units);
      this.current = this.startUnit(payload, header.randomAccess);
    } else if (header.pid === this.video?.pid && this.current?.verdict === "unknown") {
      this.scan(this.current, payload);
    }
    this.current ??= {
      packets: [],
      verdict: "frame",
      videoFrame: false,
      timestamp: this.lastTimestamp,
      head: Buffer.alloc(0),
      audioBytes: 0,
    };
    this.current.packets.push(packet);
    if (header.pid === this.audioPid) this.current.audioBytes += TS_PACKET;
    if (this.current.packets.length * TS_PACKET >= MAX_UNIT_BYTES) this.flush(units);
  }

  private table(kind: "pat" | "pmt", packet: Buffer, section: Buffer, units: TsUnit[]): void {
    // Flush first, so units keep the order their packets came in.
    this.flush(units);
    if (kind === "pat") this.pmtPid = pmtPidOf(section);
    else this.followPmt(section);
    units.push({
      kind,
      bytes: Buffer.from(packet),
      section: Buffer.from(section),
      timestamp: this.lastTimestamp,
    });
  }

  private followPmt(section: Buffer): void {
    this.elementary = streamsOf(section);
    const video = this.elementary.find((s) => kindOf(s.streamType).kind === "video");
    const videoKind = video && kindOf(video.streamType);
    this.video = video
      ? { pid: video.pid, codec: videoKind?.kind === "video" ? videoKind.codec : null }
      : null;
    this.audioPid = this.elementary.find((s) => kindOf(s.streamType).kind === "audio")?.pid ?? null;
  }

  private startUnit(payload: Buffer, randomAccess: boolean): Building {
    const pes = pesStart(payload);
    if (pes?.pts != null) this.lastTimestamp = Math.floor(pes.pts / 90);
    const isVideo = this.video !== null;
    const building: Building = {
      packets: [],
      // Audio-only streams: every audio PES is a point a decoder can start on.
      verdict: randomAccess || !isVideo ? "keyframe" : "unknown",
      videoFrame: isVideo,
      timestamp: this.lastTimestamp,
      head: Buffer.alloc(0),
      audioBytes: 0,
    };
    if (building.verdict === "unknown") this.scan(building, payload.subarray(pes?.dataOffset ?? 0));
    return building;
  }

  /** Looks for the first coded slice in the video bytes gathered so far. */
  private scan(building: Building, bytes: Buffer): void {
    const codec = this.video?.codec;
    if (!codec) {
      building.verdict = "frame";
      return;
    }
    building.head = Buffer.concat([building.head, bytes]);
    building.verdict = firstSliceVerdict(building.head, codec);
    if (building.verdict === "unknown" && building.head.length > MAX_SLICE_SCAN_BYTES)
      building.verdict = "frame";
    if (building.verdict !== "unknown") building.head = Buffer.alloc(0);
  }

  private flush(units: TsUnit[]): void {
    const building = this.current;
    if (building === null) return;
    this.current = null;
    units.push({
      kind: "media",
      bytes: Buffer.concat(building.packets),
      keyframe: building.verdict === "keyframe",
      videoFrame: building.videoFrame,
      timestamp: building.timestamp,
      audioBytes: building.audioBytes,
    });
  }
}
