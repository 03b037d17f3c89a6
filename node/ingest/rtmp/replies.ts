// What the ingest says to a publisher, as ready-to-write messages: the connect reply sequence,
// command results and onStatus events. Shapes follow nginx-rtmp and SRS, which ffmpeg, OBS,
// GStreamer and hardware encoders are all tested against.
import { type AmfValue, amfObject } from "../../rtmp/amf0.js";
import { commandMessage } from "../../rtmp/commands.js";
import {
  BandwidthLimit,
  setChunkSizeMessage,
  setPeerBandwidthMessage,
  UserControlEvent,
  userControlMessage,
  windowAckSizeMessage,
} from "../../rtmp/control.js";
import { Csid, type RtmpMessage } from "../../rtmp/messages.js";

/** Our outgoing chunk size: fewer chunk headers than the default 128. */
export const OUT_CHUNK_SIZE = 4096;
const WINDOW_ACK_SIZE = 2_500_000;

export const Status = {
  connectSuccess: "NetConnection.Connect.Success",
  publishStart: "NetStream.Publish.Start",
  badName: "NetStream.Publish.BadName",
  badConnection: "NetStream.Publish.BadConnection",
  rejected: "NetStream.Publish.Rejected",
  unpublishSuccess: "NetStream.Unpublish.Success",
} as const;

/** Set Chunk Size first, then the window and bandwidth, then the result (nginx-rtmp's order). */
export function connectReplies(transactionId: number): RtmpMessage[] {
  return [
    setChunkSizeMessage(OUT_CHUNK_SIZE),
    windowAckSizeMessage(WINDOW_ACK_SIZE),
    setPeerBandwidthMessage(WINDOW_ACK_SIZE, BandwidthLimit.dynamic),
    commandMessage(
      Csid.command,
      0,
      "_result",
      transactionId,
      amfObject({ fmsVer: "FMS/3,0,1,123", capabilities: 31 }),
      amfObject({
        level: "status",
        code: Status.connectSuccess,
        description: "Connection succeeded.",
        objectEncoding: 0,
      }),
    ),
  ];
}

export function resultMessage(transactionId: number, ...values: AmfValue[]): RtmpMessage {
  return commandMessage(Csid.command, 0, "_result", transactionId, null, ...values);
}

export function errorMessage(transactionId: number, code: string, description: string): RtmpMessage {
  return commandMessage(
    Csid.command,
    0,
    "_error",
    transactionId,
    null,
    amfObject({ level: "error", code, description }),
  );
}

/** FCPublish's answer; librtmp-based encoders wait for it. */
export function onFcPublishMessage(): RtmpMessage {
  return commandMessage(
    Csid.command,
    0,
    "onFCPublish",
    0,
    null,
    amfObject({ code: Status.publishStart, description: "FCPublish" }),
  );
}

export function onStatusMessage(
  streamId: number,
  level: "status" | "error",
  code: string,
  description: string,
): RtmpMessage {
  return commandMessage(
    Csid.streamCommand,
    streamId,
    "onStatus",
    0,
    null,
    amfObject({ level, code, description }),
  );
}

/** The publish was accepted: Stream Begin, then NetStream.Publish.Start. */
export function publishStartReplies(streamId: number): RtmpMessage[] {
  return [
    userControlMessage(UserControlEvent.streamBegin, streamId),
    onStatusMessage(streamId, "status", Status.publishStart, "Start publishing"),
  ];
}
