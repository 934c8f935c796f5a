// Browser end-to-end test of the zkafka playground.
//
// Opens the start page, plays the zk-leader-election lesson to the end and checks that
// the page shows the leader the lesson's last `leader zkN` expectation names, plays the
// kafka-message-flow lesson to the end, plays the write step of zk-write-path (every hop
// of the write animated, the quiz answered and revealed, the znode inspector showing the
// zxid the quiz computed, a stale follower's tree), switches to Chinese, runs zkCli in
// the sandbox, drives its fault menu (crash, pause, resume, power off) and saves
// screenshots in tests/e2e/screenshots/. Plain Node + playwright-core driving the system Chromium.
//
//   ZKAFKA_URL=http://127.0.0.1:8080/ node tests/e2e/play_election.mjs
//
// Exits 0 when everything holds, 1 with a message on the first failure.

import { launch } from './browser.mjs';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const base = process.env.ZKAFKA_URL || 'http://127.0.0.1:8080/';
const shots = join(here, 'screenshots');

class Failure extends Error {}
function check(cond, message) {
  if (!cond) throw new Failure(message);
}
function log(msg) {
  console.log(`  - ${msg}`);
}

function lessonFile(id) {
  return readFileSync(join(repo, 'lessons', `${id}.toml`), 'utf8');
}

/** The English title of a lesson file (`[title]` table or inline `title = { en = ... }`). */
function lessonTitle(src) {
  const m =
    src.match(/^\[title\]\s*\n(?:[^\[]*?\n)?\s*en\s*=\s*"((?:[^"\\]|\\.)*)"/m) ||
    src.match(/^title\s*=\s*\{\s*en\s*=\s*"((?:[^"\\]|\\.)*)"/m) ||
    src.match(/^title\.en\s*=\s*"((?:[^"\\]|\\.)*)"/m);
  return m ? m[1] : null;
}

/** The sid in the last `leader zkN` expectation of the election lesson. */
function expectedLeader() {
  const src = lessonFile('zk-leader-election');
  const all = [...src.matchAll(/^\s*(?:expect\s+)?leader\s+zk(\d+)\s*(?:#.*)?$/gm)];
  check(all.length > 0, 'no `leader zkN` expectation found in lessons/zk-leader-election.toml');
  return Number(all[all.length - 1][1]);
}

async function scrubberValue(page) {
  return Number(await page.getByTestId('scrubber').inputValue());
}

async function waitForApp(page) {
  await page.waitForSelector('.site-head', { timeout: 30_000 });
}

async function openLesson(page, id) {
  await page.goto(new URL(`#/lesson/${id}`, base).href);
  await waitForApp(page);
  await page.getByTestId('scrubber').waitFor({ timeout: 30_000 });
  const shown = await page.locator(`main.player[data-lesson="${id}"]`).count();
  check(shown === 1, `the player did not open lesson ${id}`);
}

async function main() {
  mkdirSync(shots, { recursive: true });
  rmSync(join(shots, 'failure.png'), { force: true });
  const profile = mkdtempSync(join(tmpdir(), 'zkafka-e2e-'));
  const errors = [];
  let context;
  let page;
  try {
    ({ context, page } = await launch(profile, errors));

    // ---- start page ----
    console.log(`start page ${base}`);
    await page.goto(base);
    await waitForApp(page);
    await page.getByTestId('lesson-card').first().waitFor({ timeout: 30_000 });
    for (const id of ['zk-leader-election', 'kafka-message-flow']) {
      const card = page.locator(`[data-testid="lesson-card"][data-lesson="${id}"]`);
      check((await card.count()) === 1, `the start page lists no card for ${id}`);
      const title = lessonTitle(lessonFile(id));
      check(title, `could not read the English title of lessons/${id}.toml`);
      const el = card.locator('.lesson-title');
      check(await el.isVisible(), `the title of ${id} is not visible on the start page`);
      const text = (await el.textContent()).trim();
      check(text === title, `start page shows "${text}" for ${id}, expected "${title}"`);
      log(`lesson card visible: ${title}`);
    }
    check(
      (await page.locator('[data-testid="lesson-error"]').count()) === 0,
      'the start page reports a lesson that failed to load',
    );
    await page.screenshot({ path: join(shots, 'home-1280.png') });

    // ---- the election lesson ----
    const leader = expectedLeader();
    console.log(`zk-leader-election (expect leader zk${leader})`);
    await page.locator('[data-lesson="zk-leader-election"] [data-testid="play-lesson"]').click();
    await page.getByTestId('scrubber').waitFor({ timeout: 30_000 });
    check((await scrubberValue(page)) === 0, 'the player does not start at the beginning');

    let last = 0;
    for (let i = 0; i < 4; i++) {
      await page.getByTestId('step-forward').click();
      await page.waitForTimeout(250);
      const v = await scrubberValue(page);
      check(v > last, `step-forward ${i + 1} did not move the scrubber (${last} -> ${v})`);
      last = v;
    }
    log(`step-forward x4 moved the scrubber to ${last}`);
    await page.getByTestId('step-back').click();
    const back = await scrubberValue(page);
    check(back < last, `step-back did not move the scrubber back (${last} -> ${back})`);
    log(`step-back moved the scrubber to ${back}`);

    // Jump to the step where the servers start, play at 1x and see a vote move.
    await page.getByTestId('next-step').click();
    await page.getByTestId('play').click();
    await page.locator('svg.stage g.msg').first().waitFor({ timeout: 10_000 });
    // Follow the message that arrives last, so it is still on its way 150 ms later.
    const id = await page.$$eval('svg.stage g.msg', (els) => {
      const last = els.reduce((a, b) => (Number(b.dataset.arrive) > Number(a.dataset.arrive) ? b : a));
      return last.dataset.id;
    });
    const msg = page.locator(`svg.stage g.msg[data-id="${id}"]`);
    const t1 = await msg.getAttribute('transform');
    await page.waitForTimeout(150);
    const t2 = (await msg.count()) ? await msg.getAttribute('transform') : 'delivered';
    check(t1 !== t2, `messages in flight do not move (message ${id} stayed at ${t1})`);
    log(`message ${id} moved: ${t1} -> ${t2}`);
    await page.screenshot({ path: join(shots, 'election-votes-1280.png') });

    // Fast playback, then jump to the end.
    await page.getByTestId('speed').selectOption('256');
    await page.waitForTimeout(1500);
    const played = await scrubberValue(page);
    check(played > back, `playing did not advance the scrubber (${back} -> ${played})`);
    log(`play at 256x reached event ${played}`);
    if (await page.getByTestId('pause').isVisible()) await page.getByTestId('pause').click();
    await page.getByTestId('to-end').click();
    const end = await scrubberValue(page);
    const max = Number(await page.getByTestId('scrubber').getAttribute('max'));
    check(end === max && max > 0, `to-end left the scrubber at ${end} of ${max}`);
    const shownLeader = (await page.getByTestId('leader').textContent()).trim();
    check(
      new RegExp(`\\bzk${leader}\\b`).test(shownLeader),
      `the page shows leader "${shownLeader}", the lesson expects zk${leader}`,
    );
    log(`leader shown at the end: ${shownLeader}`);
    check(
      (await page.locator('[data-testid="lesson-error"]').count()) === 0,
      'the election lesson reports an error',
    );
    const checks = await page.locator('[data-testid="narration"] .check').count();
    const passed = await page.locator('[data-testid="narration"] .check.pass').count();
    check(checks > 0 && checks === passed, `last step: ${passed} of ${checks} expectations shown as passed`);
    await page.screenshot({ path: join(shots, 'election-end-1280.png') });

    // ---- the Kafka lesson ----
    console.log('kafka-message-flow');
    await openLesson(page, 'kafka-message-flow');
    await page.getByTestId('next-step').click();
    await page.getByTestId('next-step').click();
    await page.getByTestId('next-step').click();
    await page.getByTestId('play').click();
    await page.waitForTimeout(1200);
    await page.screenshot({ path: join(shots, 'kafka-produce-1280.png') });
    if (await page.getByTestId('pause').isVisible()) await page.getByTestId('pause').click();
    await page.getByTestId('to-end').click();
    check(
      (await page.locator('[data-testid="lesson-error"]').count()) === 0,
      'the Kafka lesson reports an error',
    );
    const values = await page.locator('[data-testid="consumer-values"] .value').allTextContents();
    check(values.length > 0 && values.some((v) => v.trim().length > 0), 'no consumed record value is shown');
    log(`consumed values shown: ${values.join(' ')}`);
    await page.screenshot({ path: join(shots, 'kafka-end-1280.png') });
    // Back to just after the power cut: broker3's log ends at 9, and the leader's records
    // 9..11 are still only in its page cache (drawn dashed).
    await page.getByTestId('prev-step').click();
    await page.waitForTimeout(200);
    check(
      (await page.locator('svg.stage .cell.volatile').count()) >= 1,
      'no record is drawn as not yet on disk after the power cut step',
    );
    await page.screenshot({ path: join(shots, 'kafka-halt-1280.png') });
    // A broker card's names open their znodes in the inspector: the controller's badge
    // opens /controller, a partition's name its state znode.
    await page.locator('svg.stage text.zlink', { hasText: 'controller' }).first().click();
    await page.waitForTimeout(300);
    const picked = await page
      .locator('[data-testid="znode-tree"] .zrow.selected')
      .first()
      .getAttribute('data-path');
    check(picked === '/controller', `the controller badge opened ${picked}, not /controller`);
    await page.locator('svg.stage text.zlink', { hasText: 'orders-0' }).first().click();
    await page.waitForTimeout(300);
    const state = await page
      .locator('[data-testid="znode-tree"] .zrow.selected')
      .first()
      .getAttribute('data-path');
    check(
      state === '/brokers/topics/orders/partitions/0/state',
      `a partition's name opened ${state}, not its state znode`,
    );
    // The broker metrics panel is there, with a column per broker and a total.
    check(
      (await page.getByTestId('kafka-metrics').locator('[data-testid="metric-total"]').count()) === 8,
      'the broker metrics panel does not show its eight metrics',
    );

    // ---- transactions: markers, the LSO of an open transaction, the internal topic ----
    console.log('kafka-transactions');
    await openLesson(page, 'kafka-transactions');
    // The start of step 3 is the end of step 2: a transaction is open on orders-0.
    await page.locator('[data-testid="narration"] .dots button').nth(2).click();
    await page.waitForTimeout(300);
    check(
      (await page.locator('svg.stage g.lso').count()) >= 1,
      'no LSO mark trails the high watermark while the transaction is open',
    );
    check(
      (await page.locator('svg.stage .cell.txn-open').count()) >= 1,
      'the open transaction\'s records are not marked',
    );
    check(
      (await page.locator('svg.stage g.replica.internal').count()) >= 1,
      '__transaction_state is not shown as one summary row',
    );
    await page.getByTestId('to-end').click();
    await page.waitForTimeout(300);
    check(
      (await page.locator('svg.stage .cell.txn-commit').count()) >= 1 &&
        (await page.locator('svg.stage .cell.txn-abort').count()) >= 1,
      'no COMMIT or ABORT marker is drawn at the end of the lesson',
    );
    await page.screenshot({ path: join(shots, 'kafka-transactions-1280.png') });

    // ---- the write path: the animation, the quiz, the znode inspector ----
    console.log('zk-write-path');
    await openLesson(page, 'zk-write-path');
    await page.locator('[data-testid="narration"] .dots button').nth(1).click();
    const quiz = page.getByTestId('quiz');
    check(await quiz.isVisible(), 'step 2 of zk-write-path shows no quiz');
    check(
      (await page.getByTestId('quiz-answer').count()) === 0,
      'the quiz answer is shown before the step has played',
    );
    const choices = (await page.getByTestId('quiz-choice').allTextContents()).map((c) => c.trim());
    check(choices.length >= 2, `the quiz offers ${choices.length} choices`);
    await page.getByTestId('quiz-choice').first().click();
    // Play the step at 2x and note every message pill that crosses the stage.
    await page.getByTestId('speed').selectOption('2');
    await page.getByTestId('play').click();
    const seen = new Set();
    for (let i = 0; i < 600 && (await page.getByTestId('quiz-answer').count()) === 0; i++) {
      const pills = await page.$$eval('svg.stage g.msg', (els) =>
        els.map((e) => `${e.getAttribute('class')} ${e.textContent.trim()}`),
      );
      pills.forEach((p) => seen.add(p));
      await page.waitForTimeout(20);
    }
    check((await page.getByTestId('quiz-answer').count()) === 1, 'the quiz answer did not appear at the end of the step');
    check(!(await page.getByTestId('pause').isVisible()), 'playback did not stop at the end of the quiz step');
    const pills = [...seen].join(' | ');
    for (const [what, re] of [
      ['the client request', /msg-request[^|]*create \/orders/],
      ['REQUEST', /msg-zab[^|]*REQUEST/],
      ['PROPOSAL', /msg-zab[^|]*PROPOSAL/],
      ['ACK', /msg-zab[^|]*ACK/],
      ['COMMIT', /msg-zab[^|]*COMMIT/],
      ['the reply', /msg-reply/],
    ]) {
      check(re.test(pills), `the write path never showed ${what} in flight (saw: ${pills})`);
    }
    log('the write animated: request, REQUEST, PROPOSAL, ACK, COMMIT, reply');
    const right = (await quiz.locator('.choice.right').textContent()).trim();
    check(choices.includes(right), `the right choice "${right}" is not one of the choices`);
    const answer = await page.getByTestId('quiz-answer').textContent();
    check(answer.includes(right), `the quiz answer "${answer}" does not name the right choice ${right}`);
    check(
      (await quiz.locator('.choice.wrong').count()) === (choices[0] === right ? 0 : 1),
      'a wrong pick is not marked wrong',
    );
    // The inspector shows c1's server's tree: /orders, created with the zxid the quiz says.
    const row = page.locator('[data-testid="znode-row"][data-path="/orders"]');
    check((await row.count()) === 1, 'the znode tree does not show /orders');
    await row.locator('.zname').click();
    const detail = page.getByTestId('znode-detail');
    check((await detail.getAttribute('data-path')) === '/orders', 'clicking /orders did not select it');
    const czxid = (await detail.locator('dd[data-field="cZxid"]').textContent()).trim();
    check(czxid === right, `the inspector shows cZxid ${czxid}, the quiz computed ${right}`);
    const data = (await page.getByTestId('znode-data').textContent()).trim();
    check(data === 'new', `the inspector shows data "${data}" for /orders`);
    log(`quiz answer ${right} = the inspector's cZxid of /orders`);
    await page.screenshot({ path: join(shots, 'write-path-1280.png') });
    // A stale follower: after step 3, zk2 still has the old value.
    await page.getByTestId('next-step').click();
    await page.getByTestId('next-step').click();
    await page.locator('[data-testid="znode-server"][data-sid="2"]').click();
    await page.locator('[data-testid="znode-row"][data-path="/orders"] .zname').click();
    await page.waitForTimeout(100);
    // Step 4's entry is just after its first operation: zk2 has not caught up yet.
    const stale = (await page.getByTestId('znode-data').textContent()).trim();
    check(stale === 'new', `zk2's tree shows "${stale}" for /orders while its COMMIT is delayed`);
    await page.locator('[data-testid="znode-server"][data-sid="3"]').click();
    const fresh = (await page.getByTestId('znode-data').textContent()).trim();
    check(fresh === 'paid', `the leader's tree shows "${fresh}" for /orders after the set`);
    log('the leader has "paid", zk2 still shows the stale "new"');
    // The txn logs side by side: the create of /orders is logged and applied everywhere.
    const txnRow = page.locator(`[data-testid="txn-row"][data-zxid="${right}"]`);
    check((await txnRow.count()) === 1, `the txn logs panel has no row for ${right}`);
    const applied = await txnRow.locator('td.cell.applied').count();
    check(applied === 3, `${right} is applied on ${applied} servers in the txn logs panel, expected 3`);
    // The invariants: eight lights, none broken in a lesson.
    const lights = page.locator('[data-testid="invariant"]');
    check((await lights.count()) === 8, `the invariants panel has ${await lights.count()} lights`);
    check(
      (await page.locator('[data-testid="invariant"].broken').count()) === 0,
      'an invariant is shown broken in the write-path lesson',
    );
    log(`txn logs: ${right} applied on 3 servers; 8 invariants hold`);

    // ---- locks: the zombie holder, flagged by the recipes' checker ----
    console.log('zk-locks');
    await page.goto(new URL('#/lesson/zk-locks', base).href);
    await page.getByTestId('to-end').waitFor({ timeout: 30_000 });
    await page.getByTestId('to-end').click();
    const lockLight = page.locator('[data-testid="invariant"][data-name="LockHolders"]');
    await lockLight.waitFor({ timeout: 10_000 });
    check((await lockLight.getAttribute('class')).includes('broken'), 'the LockHolders light is not red at the end of zk-locks');
    const lockDetail = (await lockLight.textContent()) || '';
    check(/c11, c12 all believe they hold the lock \/locks\/z/.test(lockDetail), `LockHolders says: ${lockDetail}`);
    check(
      (await page.locator('svg.stage g[data-node="c12"].holds-lock').count()) === 1,
      'c12 is not drawn as the lock holder at the end',
    );
    check(
      (await page.locator('[data-testid="invariant"].broken').count()) === 1,
      'a ZAB invariant broke in the locks lesson',
    );
    log('LockHolders red: c11 and c12 both believed; c12 holds at the end; ZAB invariants hold');

    // ---- fencing tokens: the plain store takes the zombie's write, the fencing one refuses ----
    console.log('zk-fencing-tokens');
    await page.goto(new URL('#/lesson/zk-fencing-tokens', base).href);
    await page.getByTestId('to-end').waitFor({ timeout: 30_000 });
    await page.getByTestId('to-end').click();
    const fenced = page.locator('[data-testid="invariant"][data-name="FencedWrites"]');
    await fenced.waitFor({ timeout: 10_000 });
    check((await fenced.getAttribute('class')).includes('broken'), 'FencedWrites is not red after store1 took the zombie write');
    check(/store1 applied c1's write/.test((await fenced.textContent()) || ''), 'FencedWrites names store1 and c1');
    const store2 = (await page.locator('svg.stage g[data-node="store2"]').textContent()) || '';
    check(/rejected/.test(store2), `store2's card shows no rejected write: ${store2}`);
    check(
      (await page.locator('svg.stage g[data-node="store2"].rejected').count()) === 1,
      'store2 is not marked as having rejected the last write',
    );
    log('FencedWrites red for store1; store2 rejected the stale token');

    // ---- the other recipes: one light per promise, all green ----
    console.log('zk-recipes');
    await page.goto(new URL('#/lesson/zk-recipes', base).href);
    await page.getByTestId('to-end').waitFor({ timeout: 30_000 });
    await page.getByTestId('to-end').click();
    for (const name of ['OneLeader', 'BarrierOrder', 'QueueItems', 'RegistryView']) {
      const light = page.locator(`[data-testid="invariant"][data-name="${name}"]`);
      await light.waitFor({ timeout: 10_000 });
      check((await light.getAttribute('class')).includes('holds'), `${name} is not green in zk-recipes`);
    }
    check(
      (await page.locator('[data-testid="invariant"].broken').count()) === 0,
      'something broke in the recipes lesson',
    );
    log('zk-recipes: OneLeader, BarrierOrder, QueueItems, RegistryView hold');

    // ---- narrow screen ----
    console.log('390 px wide');
    await page.setViewportSize({ width: 390, height: 844 });
    await openLesson(page, 'zk-leader-election');
    await page.getByTestId('next-step').click();
    await page.getByTestId('next-step').click();
    await page.waitForTimeout(200);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(width <= 392, `the page is ${width}px wide at a 390px viewport (horizontal scrolling)`);
    await page.screenshot({ path: join(shots, 'election-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });

    // ---- Chinese ----
    console.log('中文');
    await page.getByTestId('lang-toggle').click();
    const nav = (await page.getByTestId('nav-lessons').textContent()).trim();
    check(nav === '课程', `after the language toggle the nav says "${nav}", expected 课程`);
    const narration = await page.getByTestId('narration').textContent();
    check(/[\u4e00-\u9fff]/.test(narration), 'the narration is not in Chinese after the toggle');
    const play = (await page.getByTestId('play').textContent()).trim();
    check(/播放/.test(play), `the play button says "${play}" in Chinese mode`);
    log(`Chinese UI: nav "${nav}", button "${play}"`);
    await page.screenshot({ path: join(shots, 'election-zh-1280.png') });
    await page.getByTestId('lang-toggle').click();

    // ---- sandbox ----
    console.log('sandbox');
    await page.goto(new URL('#/sandbox', base).href);
    await page.getByTestId('console-input').waitFor({ timeout: 30_000 });
    const consoleIn = page.getByTestId('console-input');
    await consoleIn.fill('run until leader elected');
    await consoleIn.press('Enter');
    await page.waitForFunction(
      () => /zk\d/.test(document.querySelector('[data-testid="leader"]')?.textContent || ''),
      null,
      { timeout: 10_000 },
    );
    const sandboxLeader = (await page.getByTestId('leader').textContent()).trim();
    log(`sandbox elected ${sandboxLeader}`);
    await consoleIn.fill(`expect leader ${sandboxLeader.replace(/[^a-z0-9]/g, '')}`);
    await consoleIn.press('Enter');
    check(
      (await page.locator('[data-testid="console-output"] .out-pass').count()) === 1,
      'the sandbox console did not report the expectation as held',
    );
    // zkCli in the sandbox: c1's console prints what zkCli prints; the tree shows the znode.
    await consoleIn.fill('zkcli create /e2e hello');
    await consoleIn.press('Enter');
    const zkOut = await page.locator('[data-testid="console-output"] .out-zk').allTextContents();
    check(zkOut.some((l) => /Created \/e2e$/.test(l)), `zkcli create printed ${JSON.stringify(zkOut)}`);
    check(
      (await page.locator('[data-testid="znode-row"][data-path="/e2e"]').count()) === 1,
      'the znode tree does not show /e2e after zkcli create',
    );
    log('zkcli create /e2e printed "Created /e2e" and the tree shows it');
    await consoleIn.fill('crash zk9x');
    await consoleIn.press('Enter');
    check(
      (await page.locator('[data-testid="console-output"] .out-fail').count()) >= 1,
      'the sandbox console did not report a parse error',
    );
    // Click the leader: its fault menu opens; Crash kills its process. Its kernel closes
    // every connection, so the peers' ends stay open until the close reaches them: the
    // stage shows those links half-open.
    const leaderId = sandboxLeader.replace(/[^a-z0-9]/g, '');
    await page.locator(`svg.stage g[data-node="${leaderId}"]`).click();
    const menu = page.getByTestId('fault-menu');
    check(await menu.isVisible(), 'clicking a node on the sandbox stage did not open its fault menu');
    check(
      (await menu.textContent()).includes(leaderId),
      `the fault menu does not name the node that was clicked (${leaderId})`,
    );
    await page.screenshot({ path: join(shots, 'sandbox-menu-1280.png') });
    await page.getByTestId('fault-crash').click();
    check(
      (await page.locator(`svg.stage g[data-node="${leaderId}"].st-crashed`).count()) === 1,
      'Crash in the fault menu did not crash the leader',
    );
    check(!(await menu.isVisible()), 'the fault menu stayed open after an action');
    const lastCmd = (await page.locator('[data-testid="console-output"] .out-cmd').last().textContent()).trim();
    check(lastCmd === `> crash ${leaderId}`, `the console shows "${lastCmd}" for the menu's Crash`);
    check(
      (await page.locator('svg.stage g.link.half').count()) >= 1,
      'no half-open connection is drawn right after the crash',
    );
    log(`crashed ${leaderId} from the fault menu`);

    // The keyboard path: focus another server, Enter opens its menu with the first action
    // focused, Escape closes it; then pause it from the menu.
    const other = leaderId === 'zk1' ? 'zk2' : 'zk1';
    await page.locator(`svg.stage g[data-node="${other}"]`).focus();
    await page.keyboard.press('Enter');
    check(await menu.isVisible(), `Enter on a focused ${other} did not open its fault menu`);
    const focused = await page.evaluate(() => document.activeElement?.dataset?.testid || '');
    check(focused === 'fault-crash', `the first menu action is not focused (focus on "${focused}")`);
    await page.keyboard.press('Escape');
    check(!(await menu.isVisible()), 'Escape did not close the fault menu');
    await page.locator(`svg.stage g[data-node="${other}"]`).click();
    await page.getByTestId('fault-pause').click();
    check(
      (await page.locator(`svg.stage g[data-node="${other}"].st-paused`).count()) === 1,
      `Pause in the fault menu did not pause ${other}`,
    );
    // Power off a third server from the console.
    const third = ['zk3', 'zk4', 'zk5'].find((z) => z !== leaderId);
    await consoleIn.fill(`halt ${third}`);
    await consoleIn.press('Enter');
    check(
      (await page.locator(`svg.stage g[data-node="${third}"].st-halted`).count()) === 1,
      `halt ${third} did not power it off`,
    );
    await page.getByTestId('play').click();
    await page.waitForTimeout(1500);
    await page.getByTestId('pause').click();
    // Resume the paused one from its menu.
    await page.locator(`svg.stage g[data-node="${other}"]`).click();
    await page.getByTestId('fault-resume').click();
    check(
      (await page.locator(`svg.stage g[data-node="${other}"].st-paused`).count()) === 0,
      `Resume in the fault menu did not resume ${other}`,
    );
    await page.locator(`svg.stage g[data-node="${third}"]`).click();
    check(
      (await page.getByTestId('fault-power-on').count()) === 1 &&
        (await menu.locator('button.fault').count()) === 1,
      'a powered-off host should offer exactly one fault: Power on',
    );
    await page.screenshot({ path: join(shots, 'sandbox-1280.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(200);
    const sandboxWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    check(sandboxWidth <= 392, `the sandbox is ${sandboxWidth}px wide at a 390px viewport`);
    await page.screenshot({ path: join(shots, 'sandbox-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    log(`paused and resumed ${other}, powered off ${third}`);

    // ---- Kafka storage: the segments, a lookup, the zero-copy view ----
    console.log('kafka-storage');
    await page.setViewportSize({ width: 1280, height: 800 });
    await openLesson(page, 'kafka-storage');
    await page.getByTestId('to-end').click();
    await page.getByTestId('storage-panel').waitFor({ timeout: 10_000 });
    const segs = await page.locator('[data-testid="segment"]').count();
    check(segs === 3, `the storage inspector shows ${segs} segments, expected 3`);
    const found = (await page.locator('.storage-panel .bt.found').textContent()) || '';
    check(found.includes('245..258'), `the lookup of offset 250 found "${found}", expected the batch 245..258`);
    await page.getByTestId('storage-panel').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'storage-1280.png') });
    log(`storage inspector: ${segs} segments, lookup found ${found.trim()}`);
    await openLesson(page, 'kafka-why-fast');
    await page.getByTestId('to-end').click();
    await page.getByTestId('zc-panel').waitFor({ timeout: 10_000 });
    const paths = await page.locator('[data-testid="zc-path"]').evaluateAll((els) => els.map((e) => e.dataset.path));
    check(paths.join(',') === 'read+write,mmap+write,sendfile', `zero-copy paths shown: ${paths}`);
    // The fetch just played: the view starts before its first step; step through them all.
    const cpuCell = page.locator('[data-testid="zc-path"][data-path="sendfile"] [data-testid="zc-cpu"]');
    const before = (await cpuCell.textContent()).trim();
    check(before === '0 / 1', `before stepping sendfile's CPU copies read "${before}", expected "0 / 1"`);
    for (let i = 0; i < 8; i++) await page.getByTestId('zc-next').click();
    const cpu = (await cpuCell.textContent()).trim();
    check(cpu === '1 / 1', `sendfile's CPU copies read "${cpu}", expected "1 / 1"`);
    await page.getByTestId('zc-panel').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'zerocopy-1280.png') });
    await page.setViewportSize({ width: 390, height: 800 });
    await page.getByTestId('zc-panel').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'zerocopy-390.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
    log('zero-copy view: three paths, sendfile 1 CPU copy');

    // ---- an unsafe setting in the sandbox: the invariants panel catches the loss ----
    console.log('unsafe sandbox');
    await page.goto(new URL('#/sandbox?unsafe', base).href);
    await page.reload();
    await page.getByTestId('console-input').waitFor({ timeout: 30_000 });
    const unsafe = [
      'zk config forceSync no',
      'run until leader elected',
      'zkcli create /a 1',
      ...['zk1', 'zk2', 'zk3', 'zk4', 'zk5'].map((z) => `halt ${z}`),
      'start all',
      'run until leader elected',
    ];
    for (const line of unsafe) {
      await page.getByTestId('console-input').fill(line);
      await page.getByTestId('console-input').press('Enter');
    }
    const broken = page.locator('[data-testid="invariant"].broken');
    await broken.first().waitFor({ timeout: 10_000 });
    const names = await broken.evaluateAll((els) => els.map((e) => e.dataset.name));
    check(names.includes('CommittedKept'), `forceSync=no and a power cut broke ${JSON.stringify(names)}`);
    // The link seeks to just after the breaking event: the light is red there, and one
    // step back it is green again.
    await page.locator('[data-testid="invariant"][data-name="CommittedKept"] [data-testid="invariant-link"]').click();
    const kept = '[data-testid="invariant"][data-name="CommittedKept"]';
    check((await page.locator(`${kept}.broken`).count()) === 1, 'after the seek the light should be red');
    await page.getByTestId('step-back').click();
    check(
      (await page.locator(`${kept}.holds`).count()) === 1,
      'one step before the breaking event the light should be green',
    );
    await page.screenshot({ path: join(shots, 'invariants-1280.png') });
    log(`forceSync=no + power cuts: ${names.join(', ')} broken; the link seeks to the event`);

    check(errors.length === 0, `the page logged errors:\n    ${errors.join('\n    ')}`);
    console.log('PASS: zkafka e2e');
    return 0;
  } catch (e) {
    const why = e instanceof Failure ? e.message : `${e.stack || e}`;
    console.error(`FAIL: ${why}`);
    if (errors.length) console.error(`page errors:\n    ${errors.join('\n    ')}`);
    if (page) {
      await page.screenshot({ path: join(shots, 'failure.png') }).catch(() => {});
    }
    return 1;
  } finally {
    if (context) await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
}

process.exitCode = await main();
