import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { DeviceClient, DeviceError, checkModelHash } from '../../src/core/device/client';
import {
  crc32, decodeHello, encodeFrame, encodeHello, FrameDecoder, HEADER_BYTES, MsgType, packBits, SYNC0, unpackBits, type Frame,
} from '../../src/core/device/protocol';
import { escapingTransport, type ByteTransport } from '../../src/core/device/transport';
import { BoardSim, SIM_HELLO, tinyFixtureInfer } from '../support/boardSim';

const frameArb = fc.record({
  type: fc.integer({ min: 0, max: 255 }),
  seq: fc.integer({ min: 0, max: 255 }),
  payload: fc.uint8Array({ maxLength: 300 }),
});
/** Garbage without the first sync byte, so it cannot start a (vanishingly unlikely) false frame. */
const garbageArb = fc.uint8Array({ maxLength: 40 }).map((g) => g.map((b) => (b === SYNC0 ? 0 : b)));

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Feeds `bytes` to a decoder in chunks cut at `cuts`, returning the good frames. */
function decodeChunked(bytes: Uint8Array, cuts: number[], decoder = new FrameDecoder()): Frame[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const frames: Frame[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    for (const ev of decoder.push(bytes.subarray(prev, p))) if (ev.kind === 'frame') frames.push(ev.frame);
    prev = p;
  }
  return frames;
}

const sameFrame = (a: Frame, b: Frame): boolean => a.type === b.type && a.seq === b.seq && Buffer.compare(Buffer.from(a.payload), Buffer.from(b.payload)) === 0;

describe('device protocol: framing', () => {
  it('uses the zlib CRC-32', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  });

  it('round-trips HELLO payloads', () => {
    assert.deepEqual(decodeHello(encodeHello(SIM_HELLO)), SIM_HELLO);
  });

  it('finds every frame among garbage, whatever the chunking (≥ 10,000 generated frames)', () => {
    let total = 0;
    fc.assert(fc.property(
      fc.array(fc.tuple(garbageArb, frameArb), { minLength: 10, maxLength: 40 }), garbageArb, fc.array(fc.nat(), { maxLength: 20 }),
      (pairs, tail, cuts) => {
        const bytes = concat([...pairs.flatMap(([g, f]) => [g, encodeFrame(f)]), tail]);
        const frames = decodeChunked(bytes, cuts);
        total += pairs.length;
        assert.equal(frames.length, pairs.length);
        pairs.forEach(([, f], i) => assert.ok(sameFrame(frames[i], f)));
      },
    ), { numRuns: 700 });
    assert.ok(total >= 10_000, `only ${total} frames generated`);
  });

  it('drops a frame with a flipped bit and still finds the frames after it', () => {
    fc.assert(fc.property(frameArb, frameArb, fc.nat(), fc.array(fc.nat(), { maxLength: 8 }), (bad, good, bit, cuts) => {
      const corrupt = encodeFrame(bad);
      const i = bit % (corrupt.length * 8);
      corrupt[i >> 3] ^= 1 << (i & 7);
      // Padding lets a corrupted length field that now claims more bytes run out, as a timeout would.
      const bytes = concat([corrupt, encodeFrame(good), new Uint8Array(70_000).fill(0x11), encodeFrame(good)]);
      const frames = decodeChunked(bytes, cuts);
      assert.ok(frames.every((f) => sameFrame(f, good)), 'a corrupted frame was accepted');
      assert.ok(frames.length >= 1);
    }), { numRuns: 1000 });
  });

  it('recovers after truncated frames', () => {
    fc.assert(fc.property(frameArb, fc.nat(), frameArb, (cutFrame, at, good) => {
      const full = encodeFrame(cutFrame);
      const truncated = full.subarray(0, at % full.length);
      const decoder = new FrameDecoder();
      const first = decodeChunked(concat([truncated, encodeFrame(good)]), [], decoder);
      // Only real frames come out (the truncated one too, if the next byte happens to complete it exactly).
      assert.ok(first.every((f) => sameFrame(f, good) || sameFrame(f, cutFrame)));
      // The good frame is found at once or, if swallowed by the truncated frame's length, after the reset a timeout does.
      if (!first.some((f) => sameFrame(f, good))) {
        decoder.reset();
        const again = decodeChunked(encodeFrame(good), [], decoder);
        assert.equal(again.length, 1);
      }
    }), { numRuns: 1000 });
  });

  it('never throws on arbitrary bytes and keeps bounded memory', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
      const d = new FrameDecoder(1024);
      d.push(bytes);
      assert.ok(d.pending <= HEADER_BYTES + 1024 + 4);
    }), { numRuns: 500 });
  });

  it('PackBits round-trips any input and never grows it by more than 1 byte per 128', () => {
    const runs = fc.array(fc.tuple(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 255 })), { maxLength: 20 })
      .map((rs) => Uint8Array.from(rs.flatMap(([n, v]) => Array<number>(n).fill(v))));
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 1000 }), runs), (x) => {
      const p = packBits(x);
      assert.deepEqual(unpackBits(p, x.length), x);
      assert.ok(p.length <= x.length + Math.ceil(x.length / 128));
    }), { numRuns: 2000 });
    assert.equal(packBits(new Uint8Array(784)).length, 14, 'a blank image packs to 7 runs of 2 bytes');
    assert.throws(() => unpackBits(Uint8Array.from([5, 1, 2]), 6), /runs past the input/);
    assert.throws(() => unpackBits(Uint8Array.from([0xff, 7]), 3), /decodes to 2 bytes, not 3/);
  });

  it('rejects payloads the header cannot describe', () => {
    assert.throws(() => encodeFrame({ type: 1, seq: 0, payload: new Uint8Array(70_000) }), /exceeds/);
  });
});

describe('device protocol: client', () => {
  const input = (i: number): Uint8Array => new Uint8Array(16).map((_, j) => ((i + 1) * 37 + j * 53) & 255);

  it('gets the right answer through garbage, corrupt, dropped and duplicated replies', async () => {
    let frames = 0;
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({
        fault: fc.constantFrom('none', 'none', 'garbage', 'corrupt', 'drop', 'duplicate', 'garbage+duplicate'),
        garbage: garbageArb,
        bit: fc.nat(),
      }), { minLength: 40, maxLength: 40 }),
      async (plan) => {
        const at = (n: number): (typeof plan)[number] => plan[n % plan.length];
        const sim = new BoardSim(tinyFixtureInfer, {
          garbageBefore: (n) => (at(n).fault.startsWith('garbage') ? at(n).garbage : undefined),
          corrupt: (n) => (at(n).fault === 'corrupt' ? at(n).bit : undefined),
          drop: (n) => n < 200 && at(n).fault === 'drop',
          duplicate: (n) => at(n).fault.endsWith('duplicate'),
        });
        const client = new DeviceClient(sim.hostSide);
        const opts = { timeoutMs: 20, attempts: 50 };
        const info = await client.hello(opts);
        assert.equal(info.modelHash, SIM_HELLO.modelHash);
        for (let i = 0; i < 6; i++) {
          const r = await client.infer(input(i), opts);
          assert.deepEqual({ ...r, ticks: 0 }, { ...tinyFixtureInfer(input(i)), ticks: 0 });
        }
        const batch = await client.inferBatch([0, 1, 2, 3].map(input), opts);
        assert.deepEqual(batch.map((b) => b.classIndex), [0, 1, 2, 3].map((i) => tinyFixtureInfer(input(i)).classIndex));
        frames += sim.received.length;
        await client.close();
      },
    ), { numRuns: 30 });
    assert.ok(frames > 300);
  });

  it('fails clearly when the port closes mid-reply', async () => {
    const sim = new BoardSim(tinyFixtureInfer, { closeMidReply: (n) => (n === 1 ? 9 : undefined) });
    const client = new DeviceClient(sim.hostSide);
    await client.hello({ timeoutMs: 500 });
    await assert.rejects(client.infer(input(0), { timeoutMs: 5000 }), (e: DeviceError) => {
      assert.equal(e.kind, 'closed');
      assert.match(e.message, /closed while waiting for the reply to INFER/);
      return true;
    });
    await assert.rejects(client.infer(input(0)), (e: DeviceError) => e.kind === 'closed');
  });

  it('gives up on a board that never answers, with the attempts it made', async () => {
    const sim = new BoardSim(tinyFixtureInfer, { silent: true });
    const client = new DeviceClient(sim.hostSide);
    const started = Date.now();
    await assert.rejects(client.waitForHello({ totalMs: 300, resendMs: 50 }), (e: DeviceError) => {
      assert.equal(e.kind, 'timeout');
      assert.match(e.message, /did not answer HELLO \(6 tries over 0\.\d s\)/);
      return true;
    });
    assert.ok(Date.now() - started < 2000);
    assert.equal(sim.received.length, 6);
  });

  it('resends a request the board saw corrupted', async () => {
    const sim = new BoardSim(tinyFixtureInfer);
    const client = new DeviceClient(sim.hostSide);
    await client.hello();
    // A raw corrupted INFER first: the board answers ERROR bad CRC for a seq the client is not waiting on.
    const bad = encodeFrame({ type: MsgType.INFER, seq: 200, payload: input(0) });
    bad[10] ^= 4;
    await sim.hostSide.write(bad);
    const r = await client.infer(input(1));
    assert.equal(r.classIndex, tinyFixtureInfer(input(1)).classIndex);
    assert.deepEqual(sim.errorsSent, ['request CRC mismatch (bad CRC)']);
  });

  it('reports what the board rejected', async () => {
    const sim = new BoardSim(tinyFixtureInfer, {}, { ...SIM_HELLO, inputSize: 8 });
    const client = new DeviceClient(sim.hostSide);
    await client.hello();
    client.info = { ...client.info!, inputSize: 16 };
    await assert.rejects(client.infer(input(0)), /the board rejected INFER: INFER payload must be exactly the model's input size \(bad payload length\)/);
  });

  it('checks inputs and batch limits before sending', async () => {
    const sim = new BoardSim(tinyFixtureInfer, {}, { ...SIM_HELLO, maxPayload: 50 });
    const client = new DeviceClient(sim.hostSide);
    await assert.rejects(client.infer(input(0)), /HELLO must come first/);
    await client.hello();
    assert.equal(client.maxBatch(), 3);
    await assert.rejects(client.infer(new Uint8Array(15)), /15 bytes does not fit the board's model, which takes 16/);
    const noisy = [0, 1, 2, 3].map(input);
    assert.equal(client.batchFit(noisy), 3);
    await assert.rejects(client.inferBatch(noisy), /a batch of 4 inputs \(64 bytes\) exceeds the board's 48-byte receive buffer/);
    // Constant images pack to 2 bytes + a 2-byte length each: 12 fit where 3 raw ones would.
    const flat = Array.from({ length: 20 }, (_, i) => new Uint8Array(16).fill(i * 13));
    assert.equal(client.batchFit(flat), 12);
    const out = await client.inferBatch(flat.slice(0, 12));
    assert.deepEqual(out.map((r) => r.classIndex), flat.slice(0, 12).map((x) => tinyFixtureInfer(x).classIndex));
    assert.deepEqual(sim.received.slice(-1), [MsgType.BATCH_PACKED]);
  });

  it('refuses a protocol version it does not speak', async () => {
    const sim = new BoardSim(tinyFixtureInfer, {}, { ...SIM_HELLO, protocolVersion: 9 });
    const client = new DeviceClient(sim.hostSide);
    await assert.rejects(client.hello(), /speaks protocol version 9, this BNN Studio speaks 1/);
  });

  it('can be cancelled', async () => {
    const sim = new BoardSim(tinyFixtureInfer, { silent: true });
    const client = new DeviceClient(sim.hostSide);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(client.hello({ timeoutMs: 10_000, signal: ac.signal }), (e: DeviceError) => e.kind === 'cancelled');
  });

  it('refuses a board running another model', () => {
    assert.throws(() => checkModelHash(SIM_HELLO, 'fedcba9876543210', "experiment 'x'"), (e: DeviceError) => {
      assert.equal(e.kind, 'hashMismatch');
      assert.match(e.message, /runs model 0123456789abcdef, but experiment 'x' compiles to fedcba9876543210/);
      return true;
    });
    assert.doesNotThrow(() => checkModelHash(SIM_HELLO, '0123456789ABCDEF', 'x'));
  });
});

describe('device transport: escaping for QEMU\'s mux chardev', () => {
  it('doubles exactly the escape bytes, so the mux passes any byte stream through unchanged', async () => {
    const written: Uint8Array[] = [];
    const inner: ByteTransport = {
      description: 'fake', isOpen: true, onData: () => undefined, onClose: () => undefined, close: async () => undefined,
      write: async (d) => { written.push(d.slice()); },
    };
    const t = escapingTransport(inner, 0x01);
    // What QEMU's mux does with its input (hw: chardev/char-mux.c): escape, escape → one escape byte; escape, other → a command.
    const unmux = (bytes: Uint8Array): number[] => {
      const out: number[] = [];
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i] !== 0x01) { out.push(bytes[i]); continue; }
        assert.equal(bytes[++i], 0x01, 'an escape byte followed by anything else would be a mux command (Ctrl-A x quits QEMU)');
        out.push(0x01);
      }
      return out;
    };
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (data) => {
      written.length = 0;
      await t.write(data);
      assert.deepEqual(unmux(written[0]), [...data]);
    }), { numRuns: 500 });
    written.length = 0;
    await t.write(Uint8Array.from([0x01, 0x78, 0x01]));
    assert.deepEqual([...written[0]], [0x01, 0x01, 0x78, 0x01, 0x01]);
  });
});
