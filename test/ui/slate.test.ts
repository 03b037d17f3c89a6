// The slate in the admin UI (real Chromium, real node, nginx-rtmp, ffmpeg): the channel page takes
// a slate picture (previewed, then stored by the server), a restream is added with "On source
// loss: slate for N s", and when its publisher dies the restream's badge says "Streaming: slate".
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../support/api-client.js";
import { type Browser, launchBrowser } from "../support/browser.js";
import { type MediaProcess, publish } from "../support/media.js";
import { type NginxRtmp, startNginxRtmp } from "../support/nginx-rtmp.js";
import {
  ADMIN_PASSWORD,
  type NodeProcess,
  removeDataDir,
  startNode,
  tempDataDir,
} from "../support/node-process.js";
import { pngPicture } from "../support/pictures.js";
import { card, logIn, screenshot, unlabelledControls, waitForBadge } from "../support/ui-pages.js";
import { waitFor } from "../support/wait.js";

let nginx: NginxRtmp;
let node: NodeProcess;
let browser: Browser;
let admin: ApiClient;
let page: Page;
let publisher: MediaProcess | undefined;
const dataDir = tempDataDir();

beforeAll(async () => {
  [nginx, node, browser] = await Promise.all([
    startNginxRtmp({ applications: [{ name: "live" }] }),
    startNode({ dataDir }),
    launchBrowser(),
  ]);
  admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
});

afterAll(async () => {
  await publisher?.stop();
  await browser?.close();
  await node?.stop();
  await nginx?.stop();
  removeDataDir(dataDir);
});

describe("slate", () => {
  it("uploads a slate picture with a preview, adds a restream that slates, and shows 'Streaming: slate'", async () => {
    const channel = (await admin.post("/channels", { name: "Slate studio" })).body as {
      id: string;
      streamKey: string;
    };
    const destination = (await admin.post("/destinations", { name: "Slate nginx", url: nginx.url("live") }))
      .body;
    page = await browser.newPage();
    await logIn(page, node.baseUrl, "admin", ADMIN_PASSWORD);
    await page.goto(`${node.baseUrl}/channels/${channel.id}`);
    await page.getByRole("heading", { level: 1, name: "Slate studio" }).waitFor();

    const picture = pngPicture("orange", "160x90");
    const slate = page.getByRole("form", { name: "Slate picture" });
    await slate.getByLabel("Picture (PNG or JPEG, at most 2 MiB)").setInputFiles({
      name: "brb.png",
      mimeType: "image/png",
      buffer: picture,
    });
    await slate.getByRole("img", { name: "Slate preview: the file chosen" }).waitFor();
    await slate.getByRole("button", { name: "Upload slate" }).click();
    await slate.getByText("Slate saved").waitFor();
    const stored = join(dataDir, "slates", channel.id, "picture");
    expect(existsSync(stored) && readFileSync(stored).equals(picture)).toBe(true);

    await page.getByRole("button", { name: "Add New" }).click();
    const form = page.getByRole("form", { name: "Add a restream" });
    await form.getByLabel("Name (optional)").fill("Held");
    await form.getByLabel("Destination", { exact: true }).selectOption(destination.id);
    await form.getByLabel("Stream key").fill("ui-slate-key");
    await form.getByLabel("On source loss").selectOption("slate");
    await form.getByLabel("Slate for (seconds)").fill("90");
    expect(await unlabelledControls(page)).toEqual([]);
    await form.getByRole("button", { name: "Add restream" }).click();
    const held = card(page, "Held");
    await held.getByText("On source loss: slate for 90 s.").waitFor();
    const [restream] = (await admin.get(`/channels/${channel.id}/restreams`)).body.items;
    expect(restream).toMatchObject({ name: "Held", onSourceLoss: "slate", slateSeconds: 90, holding: false });

    publisher = await publish(`${node.rtmpBase}/${channel.streamKey}`);
    await waitFor("channel live", async () => (await admin.get(`/channels/${channel.id}`)).body.live);
    await held.getByRole("button", { name: "Start Held" }).click();
    await waitForBadge(held, "Streaming");
    const clips = join(dataDir, "slates", channel.id);
    const made = () => readdirSync(clips).some((file) => file.endsWith(".flv"));
    await waitFor("the slate clip made", made, 60_000);
    process.kill(publisher.pid, "SIGKILL");
    await waitForBadge(held, "Streaming: slate");
    await screenshot(page, "slate-holding");
    await held.getByRole("button", { name: "Stop Held" }).click();
    await waitForBadge(held, "Stopped");
  }, 120_000);
});
