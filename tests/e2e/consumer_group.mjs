// Browser end-to-end check of the consumer group panel (crates/web/src/groups).
//
// Opens the kafka-rebalance lesson and steps through its rebalances one operation at a
// time: the eager one (consumer2 joins group payments) must show every phase in order
// (JoinGroup → leader assigns → SyncGroup → revoke / assign → Stable), step back one
// phase, and leave consumer1 with nothing while the leader assigns (stop the world); the
// cooperative one (consumer4 joins group audit) must keep consumer3 reading orders-0 and
// orders-1 throughout, show orders-2 and orders-3 struck on consumer3 before consumer4
// gets them, and take two rounds. Then the kafka-consumer-delivery lesson: the ledger
// marks the at-most-once gap and the at-least-once duplicates, and the lag plot is drawn.
// Last, the sandbox: a member paused past its session (the coordinator gave its
// partitions away; it still believes it owns them) and a crashed one.
// Screenshots at 1280 and 390 px wide go to tests/e2e/screenshots/ (and to $GRP_SHOTS
// when set).
//
//   ZKAFKA_URL=http://127.0.0.1:8080/ node tests/e2e/consumer_group.mjs
//
// Exits 0 when everything holds, 1 with a message on the first failure.

import { launch } from './browser.mjs';
import { copyFileSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const base = process.env.ZKAFKA_URL || 'http://127.0.0.1:8080/';
const shots = join(here, 'screenshots');
const extra = process.env.GRP_SHOTS || '';
const PHASES = ['Join', 'LeaderAssigns', 'Sync', 'RevokeAssign', 'Stable'];

class Failure extends Error {}
function check(cond, message) {
  if (!cond) throw new Failure(message);
}
function log(msg) {
  console.log(`  - ${msg}`);
}

async function shot(page, name, opts = {}) {
  const path = join(shots, name);
  await page.screenshot({ path, ...opts });
  if (extra) copyFileSync(path, join(extra, name));
}

/** A screenshot of the panel alone (the sticky site header hidden meanwhile). */
async function panelShot(page, name) {
  const panel = page.getByTestId('group-panel');
  await panel.scrollIntoViewIfNeeded();
  await page.evaluate(() => (document.querySelector('.site-head').style.visibility = 'hidden'));
  const path = join(shots, name);
  await panel.screenshot({ path });
  await page.evaluate(() => (document.querySelector('.site-head').style.visibility = ''));
  if (extra) copyFileSync(path, join(extra, name));
}

/** A viewport screenshot with the playback controls at the top and the panel below. */
async function controlsShot(page, name) {
  await page.evaluate(() => {
    const c = document.querySelector('.controls');
    const head = document.querySelector('.site-head').getBoundingClientRect().height;
    window.scrollBy(0, c.getBoundingClientRect().top - head - 8);
  });
  await page.waitForTimeout(100);
  await shot(page, name);
}

async function openLesson(page, id) {
  await page.goto(new URL(`#/lesson/${id}`, base).href);
  await page.waitForSelector('.site-head', { timeout: 30_000 });
  await page.getByTestId('scrubber').waitFor({ timeout: 30_000 });
  check(
    (await page.locator(`main.player[data-lesson="${id}"]`).count()) === 1,
    `the player did not open lesson ${id}`,
  );
  check((await page.getByTestId('lesson-error').count()) === 0, `lesson ${id} reports an error`);
}

/** Jumps to the start of lesson step `i` (0-based). */
async function toStep(page, i) {
  await page.locator('[data-testid="narration"] .dots button').nth(i).click();
  await page.waitForTimeout(200);
}

async function scrubber(page) {
  return Number(await page.getByTestId('scrubber').inputValue());
}

/** One operation forward; waits until the scrubber moved and the transition ended. */
async function step(page) {
  const before = await scrubber(page);
  await page.getByTestId('step-forward').click();
  await page.waitForFunction(
    (b) => Number(document.querySelector('[data-testid="scrubber"]').value) !== b,
    before,
    { timeout: 5_000 },
  );
  await page.waitForTimeout(30);
}

/** What the panel shows now. */
async function panel(page) {
  return page.evaluate(() => {
    const p = document.querySelector('[data-testid="group-panel"]');
    if (!p) return null;
    const phases = p.querySelector('[data-testid="grp-phases"]');
    const members = [...p.querySelectorAll('[data-testid="grp-member"]')].map((m) => ({
      consumer: Number(m.dataset.consumer),
      state: m.dataset.state,
      owned: [...m.querySelectorAll('[data-testid="grp-owned"] .grp-chip')].map((c) => c.dataset.tp),
      gaveUp: [...m.querySelectorAll('[data-testid="grp-gave-up"] .grp-chip')].map((c) => c.dataset.tp),
    }));
    return {
      phase: phases ? phases.dataset.phase : null,
      lit: [...p.querySelectorAll('.grp-phase.now')].map((l) => l.dataset.phase),
      summary: p.querySelector('[data-testid="grp-summary"]')?.textContent || '',
      group: p.querySelector('.grp-id')?.textContent || '',
      round: p.querySelector('[data-testid="grp-round"]')?.textContent || '',
      protocol: p.querySelector('[data-testid="grp-protocol"]')?.textContent || '',
      stall: p.querySelector('[data-testid="grp-stall"]')?.textContent || '',
      members,
    };
  });
}

function member(state, n) {
  return state.members.find((m) => m.consumer === n) || { owned: [], gaveUp: [], state: null };
}

async function noSideScroll(page, what) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 392, `${what}: the page is ${width}px wide at a 390px viewport`);
}

/** Screenshots of the current state at 390 px (full page and the panel), then back. */
async function narrowShots(page, name) {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(250);
  await noSideScroll(page, name);
  await panelShot(page, `${name}-390-panel.png`);
  await shot(page, `${name}-390.png`, { fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.waitForTimeout(250);
}

async function main() {
  mkdirSync(shots, { recursive: true });
  if (extra) mkdirSync(extra, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'zkafka-grp-'));
  const errors = [];
  let context;
  let page;
  try {
    ({ context, page } = await launch(profile, errors));

    // ---- eager: consumer2 joins group payments ----
    console.log('kafka-rebalance: eager');
    await openLesson(page, 'kafka-rebalance');
    await page.getByTestId('speed').selectOption('256');
    check((await page.getByTestId('group-panel').count()) === 0, 'the group panel shows before any consumer exists');
    await toStep(page, 1);
    await page.getByTestId('group-panel').waitFor({ timeout: 10_000 });
    let s = await panel(page);
    check(s.group === 'payments' && s.phase === 'Stable', `before consumer2 joins: ${s.group} ${s.phase}`);
    check(member(s, 1).owned.length === 4, `consumer1 owns ${member(s, 1).owned} before the rebalance`);
    check(/eager/.test(s.protocol), `payments is not shown as eager: ${s.protocol}`);
    const seen = [];
    let stopTheWorld = false;
    for (let i = 0; i < 1500; i++) {
      await step(page);
      s = await panel(page);
      if (s.phase !== seen[seen.length - 1]) {
        seen.push(s.phase);
        check(s.lit.length === 1 && s.lit[0] === s.phase, `phase ${s.phase} but the strip lights ${s.lit}`);
        log(`step ${i + 1}: ${s.phase} (${s.members.map((m) => `c${m.consumer} ${m.state} [${m.owned}]`).join(', ')})`);
        if (s.phase === 'LeaderAssigns') {
          stopTheWorld =
            member(s, 1).owned.length === 0 && member(s, 1).gaveUp.length === 4 && s.stall.length > 0;
          await controlsShot(page, 'grp-eager-leader-1280.png');
          await panelShot(page, 'grp-eager-leader-1280-panel.png');
          await narrowShots(page, 'grp-eager-leader');
          // One step back is the phase before; forward again is this one.
          await page.getByTestId('step-back').click();
          await page.waitForTimeout(150);
          const back = await panel(page);
          check(back.phase === 'Join', `one step back from LeaderAssigns shows ${back.phase}`);
          await step(page);
          const again = await panel(page);
          check(again.phase === 'LeaderAssigns', `stepping forward again shows ${again.phase}`);
        }
      }
      if (s.phase === 'Stable' && seen.length > 1) break;
    }
    check(
      JSON.stringify(seen.slice(seen.indexOf('Join'))) === JSON.stringify(PHASES),
      `the eager rebalance showed the phases ${seen.join(' → ')}`,
    );
    check(stopTheWorld, 'while the leader assigns, consumer1 should own nothing and show its four partitions given up');
    s = await panel(page);
    check(
      member(s, 1).owned.join() === 'orders-0,orders-1' && member(s, 2).owned.join() === 'orders-2,orders-3',
      `after the eager rebalance: consumer1 [${member(s, 1).owned}], consumer2 [${member(s, 2).owned}]`,
    );
    check(member(s, 1).gaveUp.join() === 'orders-2,orders-3', `consumer1 gave up [${member(s, 1).gaveUp}]`);
    check(/generation\s*2/.test(s.summary), `the summary says "${s.summary}" after the eager rebalance`);
    await controlsShot(page, 'grp-eager-done-1280.png');
    log('eager: every phase in order, stop the world while the leader assigns');

    // ---- cooperative: consumer4 joins group audit ----
    console.log('kafka-rebalance: cooperative');
    await toStep(page, 2);
    let kept = true;
    let revoked = false;
    let rounds = '';
    const coopSeen = [];
    for (let i = 0; i < 3000; i++) {
      await step(page);
      s = await panel(page);
      if (s.group !== 'audit') continue;
      if (s.phase !== coopSeen[coopSeen.length - 1]) coopSeen.push(s.phase);
      const c3 = member(s, 3);
      const c4 = member(s, 4);
      if (c3.state === 'STABLE' || coopSeen.length > 1) {
        if (s.members.length === 2) {
          kept &&= c3.owned.includes('orders-0') && c3.owned.includes('orders-1');
        }
      }
      if (!revoked && c3.gaveUp.join() === 'orders-2,orders-3' && c4.owned.length === 0) {
        revoked = true;
        log(`step ${i + 1}: consumer3 revoked orders-2, orders-3; consumer4 has none yet (${s.phase})`);
        await controlsShot(page, 'grp-coop-revoke-1280.png');
        await panelShot(page, 'grp-coop-revoke-1280-panel.png');
        await narrowShots(page, 'grp-coop-revoke');
      }
      rounds = s.round;
      if (/generation\s*3/.test(s.summary) && s.phase === 'Stable' && c4.owned.length === 2) break;
    }
    check(revoked, 'consumer3 never showed orders-2 and orders-3 given up while consumer4 waited');
    check(kept, 'consumer3 stopped reading orders-0 or orders-1 during the cooperative rebalance');
    check(/2/.test(rounds), `the cooperative rebalance shows "${rounds}", expected round 2`);
    // consumer4's two rounds: no Stable between them (consumer3 rejoins after revoking).
    const last = coopSeen.lastIndexOf('Join');
    const prev = coopSeen.lastIndexOf('Join', last - 1);
    check(
      prev >= 0 && coopSeen.slice(prev, last).join() === 'Join,LeaderAssigns,Sync,RevokeAssign',
      `the cooperative rounds showed ${coopSeen.join(' → ')}`,
    );
    s = await panel(page);
    check(/cooperative/.test(s.protocol), `audit is not shown as cooperative: ${s.protocol}`);
    check(
      member(s, 3).owned.join() === 'orders-0,orders-1' && member(s, 4).owned.join() === 'orders-2,orders-3',
      `after the cooperative rebalance: consumer3 [${member(s, 3).owned}], consumer4 [${member(s, 4).owned}]`,
    );
    log(`cooperative: ${coopSeen.join(' → ')}; orders-0/1 never stopped; ${rounds}`);
    await controlsShot(page, 'grp-coop-done-1280.png');

    // ---- the end of step 4: consumer2 left payments ----
    const dots = await page.locator('[data-testid="narration"] .dots button').count();
    if (dots > 4) await toStep(page, 4);
    else await page.getByTestId('to-end').click();
    await page.waitForTimeout(300);
    s = await panel(page);
    check(s.group === 'payments', `at the end the panel shows group ${s.group}, expected payments`);
    check(member(s, 1).owned.length === 4, `at the end consumer1 owns [${member(s, 1).owned}]`);
    check((await page.locator('[data-testid="grp-tab"]').count()) >= 2, 'no picker for the groups');
    await controlsShot(page, 'grp-end-1280.png');
    await panelShot(page, 'grp-end-1280-panel.png');
    await narrowShots(page, 'grp-end');
    await page.locator('[data-testid="grp-tab"][data-group="audit"]').click();
    s = await panel(page);
    check(s.group === 'audit', `the picker did not switch to audit (${s.group})`);
    log('after step 4: payments back to consumer1; the picker switches groups');

    // ---- Chinese ----
    await page.getByTestId('lang-toggle').click();
    await page.waitForTimeout(200);
    const title = (await page.locator('[data-testid="group-panel"] .panel-head h3').textContent()).trim();
    check(title === '消费者组', `the panel title in Chinese is "${title}"`);
    await panelShot(page, 'grp-zh-1280-panel.png');
    await page.getByTestId('lang-toggle').click();

    // ---- the ledger: at most once leaves a gap, at least once duplicates ----
    console.log('kafka-consumer-delivery');
    await openLesson(page, 'kafka-consumer-delivery');
    await toStep(page, 1);
    await page.getByTestId('group-panel').waitFor({ timeout: 10_000 });
    const gaps = await page.locator('[data-testid="grp-ledger"] .grp-rec.gap').count();
    check(gaps === 1, `after the at-most-once crash the ledger marks ${gaps} records after a gap, expected 1`);
    const gapText = await page.locator('[data-testid="grp-ledger"] .grp-rec.gap').first().textContent();
    check(/↷4/.test(gapText), `the gap mark reads "${gapText}", expected 4 records missing`);
    check(
      (await page.locator('[data-testid="group-panel"] .grp-svg path.grp-line').count()) === 2,
      'the lag plot draws no line',
    );
    await panelShot(page, 'grp-ledger-gap-1280-panel.png');
    await toStep(page, 2);
    const dups = await page.locator('[data-testid="grp-ledger"] .grp-rec.dup').count();
    check(dups === 2, `after the at-least-once crash the ledger marks ${dups} duplicates, expected 2`);
    await panelShot(page, 'grp-ledger-dup-1280-panel.png');
    await narrowShots(page, 'grp-ledger-dup');
    log('ledger: one gap of 4 (at most once), 2 duplicates (at least once)');

    // ---- the sandbox: a paused member past its session, then a crash ----
    console.log('sandbox: paused and crashed members');
    await page.goto(new URL('#/sandbox', base).href);
    await page.getByTestId('console-input').waitFor({ timeout: 30_000 });
    await page.getByTestId('setup-zk').selectOption('0');
    await page.getByTestId('setup-clients').selectOption('0');
    await page.getByTestId('setup-kafka').selectOption('3');
    const topicBox = page.locator('form.setup input[type=checkbox]').nth(1);
    if (await topicBox.isChecked()) await topicBox.uncheck();
    await page.getByTestId('setup-create').click();
    const lines = [
      'topic create orders partitions 4 rf 3',
      'run 3s',
      'kafka config group.id g',
      'subscribe orders consumer 1',
      'run until member-state consumer1 STABLE within 30s',
      'produce orders value v count 20',
      'subscribe orders consumer 2',
      'run until member-state consumer2 STABLE within 30s',
      'run 6s',
      'pause consumer2',
      'run 60s',
    ];
    const consoleIn = page.getByTestId('console-input');
    for (const line of lines) {
      await consoleIn.fill(line);
      await consoleIn.press('Enter');
      await page.waitForTimeout(100);
    }
    check(
      (await page.locator('[data-testid="console-output"] .out-fail').count()) === 0,
      `a sandbox command failed: ${await page.locator('[data-testid="console-output"] .out-fail').allTextContents()}`,
    );
    await page.getByTestId('group-panel').waitFor({ timeout: 10_000 });
    s = await panel(page);
    check(member(s, 1).owned.length === 4, `after consumer2's session expired consumer1 owns [${member(s, 1).owned}]`);
    check(member(s, 2).owned.length === 2, `paused consumer2 still believes it owns [${member(s, 2).owned}]`);
    check(
      (await page.locator('[data-testid="grp-member"][data-consumer="2"].st-paused').count()) === 1,
      'the paused consumer2 is not drawn paused',
    );
    check(
      (await page.locator('[data-testid="grp-partition"] .grp-chip.split').count()) === 2,
      'the two partitions both consumers believe they own are not marked',
    );
    await controlsShot(page, 'grp-sandbox-paused-1280.png');
    await panelShot(page, 'grp-sandbox-paused-1280-panel.png');
    await narrowShots(page, 'grp-sandbox-paused');
    // consumer1 crashes and consumer2 is frozen: new records pile up unread.
    for (const line of ['crash consumer1', 'produce orders value w count 12', 'run 5s']) {
      await consoleIn.fill(line);
      await consoleIn.press('Enter');
      await page.waitForTimeout(150);
    }
    check(
      (await page.locator('[data-testid="grp-member"][data-consumer="1"].st-crashed').count()) === 1,
      'the crashed consumer1 is not drawn crashed',
    );
    const lags = await page.locator('[data-testid="grp-partition"] .grp-lagn').allTextContents();
    check(lags.some((l) => /lag\s*12/.test(l)), `no partition lags by the 12 unread records: ${lags}`);
    await panelShot(page, 'grp-sandbox-crashed-1280-panel.png');
    await narrowShots(page, 'grp-sandbox-crashed');
    log('sandbox: a paused member past its session and a crashed one are drawn');

    check(errors.length === 0, `the page logged errors:\n    ${errors.join('\n    ')}`);
    console.log('PASS: consumer group panel');
    return 0;
  } catch (e) {
    const why = e instanceof Failure ? e.message : `${e.stack || e}`;
    console.error(`FAIL: ${why}`);
    if (errors.length) console.error(`page errors:\n    ${errors.join('\n    ')}`);
    if (page) await page.screenshot({ path: join(shots, 'grp-failure.png') }).catch(() => {});
    return 1;
  } finally {
    if (context) await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
}

process.exitCode = await main();
