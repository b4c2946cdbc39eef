// The Chromium side of bench/datachannel_peers, run in the network namespace it made: Debian's
// chromium, headless, driven by playwright-core (tests/browser's). In one page: Chromium <->
// Chromium (two peer connections, the anchor), then our sender (PROGRAM --answer-and-send,
// gathering on ADDRESS) against the page's receiver; only candidates in ADDRESS's /24 cross.
// Prints MB/s, the time from the page's offer to the first message, p50 and p99, and the ratio
// of ours -> Chromium to Chromium <-> Chromium. The two bulk runs take turns ROUNDS times (3),
// and the ratio is of their medians: this machine's two cores make single runs vary by ±15%.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("../tests/browser/node_modules/playwright-core");
const [program, address] = process.argv.slice(2);
// A process's CPU seconds so far (/proc/PID/stat's utime and stime, in clock ticks of 1/100 s).
const cpuOf = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const subnet = " " + address.split(".").slice(0, 3).join(".") + ".";
const MIB = Number(process.env.MIB || 256);
const ROUNDS = Number(process.env.ROUNDS || 3);
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-features=WebRtcHideLocalIpsWithMdns"],
});
try {
  const page = await browser.newPage();
  page.on("crash", () => console.log("  the page crashed"));
  page.on("console", (m) => process.env.DEBUG && console.log("page:", m.text()));
  await page.goto("about:blank");
  await page.evaluate(`(${function helpers(mib, subnet) {
    window.inSubnet = (sdp) => sdp.split("\r\n")
      .filter((l) => !l.startsWith("a=candidate:") || l.includes(subnet)).join("\r\n");
    window.gathered = (pc) => new Promise((done) => {
      if (pc.iceGatheringState === "complete") return done();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && done();
    });
    // Receives: the greeting, then mib MiB; resolves with {first (ms from `began`), mbps}.
    window.receive = (channel, began, total) => new Promise((done) => {
      let first = 0, got = 0, start = 0;
      channel.binaryType = "arraybuffer";
      channel.onmessage = (e) => {
        if (!first) {
          first = performance.now() - began;
          if (!total) done({ first, mbps: 0 });
          return;
        }
        if (!start) start = performance.now();
        got += e.data.byteLength;
        if (got >= total) done({ first, mbps: (got - 65536) / (performance.now() - start) / 1e3 });
      };
    });
    window.selfToSelf = async () => {
      const a = new RTCPeerConnection(), b = new RTCPeerConnection();
      const channel = a.createDataChannel("bench");
      const began = performance.now();
      await a.setLocalDescription(await a.createOffer());
      await gathered(a);
      await b.setRemoteDescription({ type: "offer", sdp: inSubnet(a.localDescription.sdp) });
      await b.setLocalDescription(await b.createAnswer());
      await gathered(b);
      const received = new Promise((done) => {
        b.ondatachannel = (e) => done(receive(e.channel, began, mib << 20));
      });
      await a.setRemoteDescription({ type: "answer", sdp: inSubnet(b.localDescription.sdp) });
      await new Promise((open) => { channel.onopen = open; });
      channel.send(new Uint8Array(16));
      const message = new Uint8Array(65536);
      channel.bufferedAmountLowThreshold = 1 << 20;
      let sent = 0;
      while (sent < (mib << 20)) {
        while (sent < (mib << 20) && channel.bufferedAmount < 8 << 20) {
          channel.send(message);
          sent += message.length;
        }
        await new Promise((low) => { channel.onbufferedamountlow = low; });
      }
      const result = await received;
      a.close();
      b.close();
      return result;
    };
  }})(${MIB}, ${JSON.stringify(subnet)})`);

  const anchors = [];

  // Ours: the page offers (its channel "bench"), our program answers and sends.
  const ours = async (mib) => {
    const offer = await page.evaluate(async () => {
      window.pc = new RTCPeerConnection();
      window.channel = pc.createDataChannel("bench");
      window.began = performance.now();
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      return inSubnet(pc.localDescription.sdp);
    });
    const peer = spawn(program, ["--answer-and-send", String(mib), address]);
    peer.stdin.end(offer);
    let out = "";
    const answer = await new Promise((done, fail) => {
      peer.stdout.on("data", (d) => {
        out += d;
        const end = out.indexOf("\nEND\n");
        if (end >= 0) done(out.slice(0, end));
      });
      peer.on("exit", () => fail(new Error("our peer ended before answering")));
    });
    const cpu0 = cpuOf(peer.pid), wall0 = performance.now();
    const result = await page.evaluate(async ({ sdp, total }) => {
      const received = receive(channel, began, total);
      await pc.setRemoteDescription({ type: "answer", sdp });
      return received;
    }, { sdp: answer, total: mib << 20 });
    result.cpu = (cpuOf(peer.pid) - cpu0) / ((performance.now() - wall0) / 1000);
    peer.kill();
    await page.evaluate(() => pc.close());
    return result;
  };
  const bulks = [];
  for (let round = 0; round < ROUNDS; ++round) {
    anchors.push(await page.evaluate(() => selfToSelf()));
    bulks.push(await ours(MIB));
  }
  const anchor = { mbps: median(anchors.map((a) => a.mbps)), first: median(anchors.map((a) => a.first)) };
  const bulk = { mbps: median(bulks.map((b) => b.mbps)), cpu: median(bulks.map((b) => b.cpu)) };
  console.log(`  anchor: Chromium <-> Chromium in one page, median of ${ROUNDS} ` +
              `(${anchors.map((a) => a.mbps.toFixed(1)).join(", ")}): ${anchor.mbps.toFixed(1)} MB/s; ` +
              `offer to first message ${anchor.first.toFixed(2)} ms (median)`);
  console.log(`  ours -> Chromium, median of ${ROUNDS} ` +
              `(${bulks.map((b) => b.mbps.toFixed(1)).join(", ")}): ${bulk.mbps.toFixed(1)} MB/s ` +
              `(the page's receiver); our sender used ${(100 * bulk.cpu).toFixed(0)}% of a core`);
  const firsts = [];
  for (let i = 0; i < 20; ++i) firsts.push((await ours(0)).first);
  firsts.sort((x, y) => x - y);
  console.log(`  ours -> Chromium, the page's offer to our first message, ${firsts.length} set-ups: ` +
              `p50 ${firsts[10].toFixed(2)} ms, p99 ${firsts[19].toFixed(2)} ms`);
  console.log(`  ratio ours -> Chromium / Chromium <-> Chromium: ${(bulk.mbps / anchor.mbps).toFixed(2)}`);
} finally {
  await browser.close();
}
