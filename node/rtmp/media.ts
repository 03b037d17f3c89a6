// FLV tags as RTMP messages on a publish stream: an FLV tag body is exactly an RTMP audio, video or
// data message body. onMetaData goes out wrapped in "@setDataFrame", as publishers send it and as
// servers (nginx-rtmp, YouTube, Twitch) expect it; the ingest strips the wrapper on the way in.

import type { FlvTag } from "../defs/flv-tag.js";
import { AUDIO, VIDEO } from "../media/flv.js";
import { encodeAmf0 } from "./amf0.js";
import { Csid, type RtmpMessage } from "./messages.js";

const SET_DATA_FRAME = encodeAmf0("@setDataFrame");
const ON_METADATA = encodeAmf0("onMetaData");

function csidOf(tag: FlvTag): number {
  if (tag.type === AUDIO) return Csid.audio;
  if (tag.type === VIDEO) return Csid.video;
  return Csid.data;
}

function payloadOf(tag: FlvTag): Buffer {
  const wrap = tag.type !== AUDIO && tag.type !== VIDEO && startsWith(tag.data, ON_METADATA);
  return wrap ? Buffer.concat([SET_DATA_FRAME, tag.data]) : tag.data;
}

function startsWith(data: Buffer, prefix: Buffer): boolean {
  return data.length >= prefix.length && data.subarray(0, prefix.length).equals(prefix);
}

/** The tag as a message on message stream `streamId`, stamped `timestamp` (ms, 32 bits). */
export function tagMessage(tag: FlvTag, streamId: number, timestamp: number): RtmpMessage {
  return {
    csid: csidOf(tag),
    streamId,
    typeId: tag.type,
    timestamp: timestamp >>> 0,
    payload: payloadOf(tag),
  };
}
