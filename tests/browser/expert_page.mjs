// Headless Chromium (Debian's, driven by playwright-core) as the expert's browser: opens the
// expert's page at URL and prints a line for what the page shows, as the test waits for it:
//   ACTIVE                       the page's session answered Switchboard's handshake
//   CONTEXT <summary>            a context update arrived
//   EVIDENCE <name> <sha-256> <progress updates>   a file arrived whole, its digest checked
//   REFUSED <why>                a file the page refused
//   RESTARTED <n>                the page restarted ICE on its session (n times so far)
//   ASKED <n>                    of those, the restarts Switchboard asked for (on the WebSocket)
//   HEARS <hz> <dB>              with LISTEN-HZ: the tone's level in the room's audio that the
//                                page plays, against the rest of it (Goertzel), once a second
// It clicks the page's Reconnect button (an ICE restart) on the file WORKDIR/reconnect, and
// leaves (its Leave button) on the file WORKDIR/bye, and ends; or after LIMIT seconds.
// With FAKE-MIC (a WAV file), Chromium's fake microphone plays it in a loop.
import { chromium } from "playwright-core";
import { existsSync } from "node:fs";

const [url, workdir, limit = "60", listenHz = "", fakeMic = ""] = process.argv.slice(2);
// The page needs a secure context (Web Crypto): the test's origin is plain HTTP on a
// namespace's address, which Chromium is told to treat as secure.
const say = (...words) => console.log(...words);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-features=WebRtcHideLocalIpsWithMdns",
         `--unsafely-treat-insecure-origin-as-secure=${new URL(url).origin}`,
         "--autoplay-policy=no-user-gesture-required",
         ...(fakeMic ? ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                        `--use-file-for-fake-audio-capture=${fakeMic}`] : [])],
});
// The level of `hz` in what the page's <audio> plays: half a second of it through an analyser,
// by Goertzel, against everything else in it, in dB.
const levelOf = (hz) => new Promise((done) => {
  const element = document.getElementById("audio");
  if (!element.srcObject) return done(-999);
  const context = window.listening ||= new AudioContext();
  const analyser = window.analyser ||= (() => {
    const a = context.createAnalyser();
    a.fftSize = 32768;
    context.createMediaStreamSource(element.srcObject).connect(a);
    return a;
  })();
  setTimeout(() => {
    const x = new Float32Array(analyser.fftSize);
    analyser.getFloatTimeDomainData(x);
    const coeff = 2 * Math.cos(2 * Math.PI * hz / context.sampleRate);
    let s1 = 0, s2 = 0, total = 0;
    for (const v of x) { [s1, s2] = [v + coeff * s1 - s2, s1]; total += v * v; }
    const tone = 2 * (s1 * s1 + s2 * s2 - coeff * s1 * s2) / x.length;
    done(Math.round(100 * Math.log10(Math.max(tone, 1e-12) / Math.max(total - tone, 1e-12))) / 10);
  }, 800);
});
const deadline = Date.now() + Number(limit) * 1000;
try {
  const page = await browser.newPage();
  page.on("console", (m) => say("page:", m.text()));
  await page.goto(url);
  const seen = { active: false, contexts: 0, files: new Set() };
  while (Date.now() < deadline && !existsSync(`${workdir}/bye`)) {
    const now = await page.evaluate(() => {
      const s = window.switchboard;
      return { state: s.state, contexts: s.contexts.map((c) => c.summary), errors: s.errors,
               restarts: s.restarts || 0, asked: s.asked || 0,
               files: Object.values(s.files).map((f) => ({ name: f.name, sha256: f.sha256,
                 done: !!f.done, error: f.error || "", updates: f.updates || 0 })) };
    });
    if (now.state === "active" && !seen.active) { seen.active = true; say("ACTIVE"); }
    if (now.state.startsWith("refused") || now.state.startsWith("failed")) {
      say("STATE", now.state, ...now.errors);
      break;
    }
    if (!seen.reconnect && existsSync(`${workdir}/reconnect`)) {
      seen.reconnect = true;
      await page.click("#reconnect");
    }
    if (now.asked > (seen.asked || 0)) say("ASKED", (seen.asked = now.asked));
    if (now.restarts > (seen.restarts || 0)) say("RESTARTED", (seen.restarts = now.restarts));
    for (const c of now.contexts.slice(seen.contexts)) say("CONTEXT", c);
    seen.contexts = now.contexts.length;
    for (const f of now.files) {
      if (seen.files.has(f.name) || !(f.done || f.error)) continue;
      seen.files.add(f.name);
      say(f.done ? `EVIDENCE ${f.name} ${f.sha256} ${f.updates}` : `REFUSED ${f.error}`);
    }
    if (listenHz && seen.active && Date.now() >= (seen.nextListen ||= Date.now() + 1000)) {
      say("HEARS", listenHz, await page.evaluate(levelOf, Number(listenHz)));
      seen.nextListen = Date.now() + 1000;
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  if (existsSync(`${workdir}/bye`)) {
    await page.click("#leave");
    await page.waitForFunction(() => window.switchboard.state.startsWith("closed"));
    await new Promise((done) => setTimeout(done, 500)); // session_end on its way
    say("LEFT");
  }
} finally {
  await browser.close();
}
