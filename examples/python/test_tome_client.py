"""Tests of tome_client's plain logic: parameters, URLs, ranks and workers,
resume state, and the HTTP request, against a local HTTP server. They need
neither pyarrow nor torch (the Arrow decoding is replaced by a fake), so
they run anywhere: python3 -m unittest test_tome_client
"""

import doctest
import http.server
import itertools
import json
import os
import tempfile
import threading
import types
import unittest
import urllib.parse

import tome_client as tc


class StreamParamsTest(unittest.TestCase):
    def test_normalises_and_orders(self):
        got = tc.stream_params(drop_remainder=True, seed=7, columns="text", shuffle="block", split=None)
        self.assertEqual(list(got.items()), [("columns", ["text"]), ("shuffle", "block"), ("seed", 7),
                                             ("drop_remainder", True)])

    def test_refuses_bad_values(self):
        bad = [
            {"shuffle": "random"},
            {"seed": -1},
            {"seed": "7"},
            {"epoch": True},
            {"columns": ["a,b"]},
            {"columns": [""]},
            {"drop_remainder": "yes"},
            {"split": 3},
            {"world": 2, "rank": 2},
            {"rank": 1},
            {"shufle": "block"},
        ]
        for params in bad:
            with self.subTest(params=params), self.assertRaises(ValueError):
                tc.stream_params(**params)


class URLTest(unittest.TestCase):
    def test_stream_url(self):
        params = tc.stream_params(split="test", columns=["text", "label"], shuffle="global", seed=3,
                                  world=8, rank=5, start=120, batch_rows=1024, drop_remainder=False)
        url = tc.stream_url("http://127.0.0.1:8080/", "my data/v1", params)
        self.assertEqual(url, "http://127.0.0.1:8080/v1/datasets/my%20data%2Fv1/stream?split=test"
                              "&columns=text%2Clabel&shuffle=global&seed=3&world=8&rank=5&start=120"
                              "&batch_rows=1024&drop_remainder=false")

    def test_no_params(self):
        self.assertEqual(tc.stream_url("http://h:1", "d", {}), "http://h:1/v1/datasets/d/stream")

    def test_flight_ticket(self):
        ticket = tc.flight_ticket("train", tc.stream_params(columns=["x"], world=2, rank=1, start=5))
        self.assertEqual(json.loads(ticket), {"dataset": "train", "columns": ["x"], "world": 2, "rank": 1, "start": 5})

    def test_auth_headers(self):
        self.assertEqual(tc.auth_headers("s3cret"), {"Authorization": "Bearer s3cret"})
        self.assertEqual(tc.auth_headers(""), {})


class FakeDist:
    def __init__(self, initialized, rank=0, world=1):
        self.initialized, self.rank, self.world = initialized, rank, world

    def is_available(self):
        return True

    def is_initialized(self):
        return self.initialized

    def get_rank(self):
        return self.rank

    def get_world_size(self):
        return self.world


class RankTest(unittest.TestCase):
    def test_torch_distributed_first(self):
        self.assertEqual(tc.rank_and_world({"RANK": "1", "WORLD_SIZE": "2"}, FakeDist(True, 3, 4)), (3, 4))

    def test_environment(self):
        uninitialised = FakeDist(False)
        self.assertEqual(tc.rank_and_world({"RANK": "1", "WORLD_SIZE": "2"}, uninitialised), (1, 2))
        self.assertEqual(tc.rank_and_world({}, uninitialised), (0, 1))
        for env in [{"RANK": "1"}, {"WORLD_SIZE": "2"}, {"RANK": "2", "WORLD_SIZE": "2"},
                    {"RANK": "x", "WORLD_SIZE": "2"}, {"RANK": "0", "WORLD_SIZE": "0"}]:
            with self.subTest(env=env), self.assertRaises(ValueError):
                tc.rank_and_world(env, uninitialised)

    def test_workers(self):
        self.assertEqual(tc.worker_and_workers(types.SimpleNamespace(id=2, num_workers=4)), (2, 4))

    def test_consumer(self):
        self.assertEqual(tc.consumer(0, 1, 0, 1), (0, 1))
        self.assertEqual(tc.consumer(1, 2, 2, 4), (6, 8))
        for args in [(2, 2, 0, 1), (0, 1, 1, 1), (0, 0, 0, 1), (-1, 2, 0, 1)]:
            with self.subTest(args=args), self.assertRaises(ValueError):
                tc.consumer(*args)

    def test_consumers_partition_the_global_sequence(self):
        # Consumer c of C takes global positions c, c+C, ...; with every
        # rank's workers the readers cover each position exactly once, and
        # after n samples each they have consumed exactly [0, n*C).
        n = 200
        for world, workers in itertools.product([1, 2, 3], [1, 2, 4]):
            seen = []
            for rank, worker in itertools.product(range(world), range(workers)):
                c, total = tc.consumer(rank, world, worker, workers)
                seen.extend(range(c, n, total))
            self.assertEqual(sorted(seen), list(range(n)), (world, workers))
            per = 5
            taken = {c + j * world * workers for c in range(world * workers) for j in range(per)}
            self.assertEqual(taken, set(range(per * world * workers)))


def position(consumer, world, rows, epoch=0, start=0):
    return {"consumer": consumer, "world": world, "rows": rows, "epoch": epoch, "start": start}


class ResumeStateTest(unittest.TestCase):
    def test_counts_and_same_world_resume(self):
        s = tc.ResumeState()
        for c, rows in [(0, 10), (1, 10), (0, 10), (1, 4)]:
            s.update(position(c, 2, rows))
        self.assertEqual(s.consumed, {0: 20, 1: 14})
        self.assertEqual((s.start(0, 2), s.start(1, 2)), (20, 14))
        self.assertEqual(s.start(0, 2, epoch=1), 0)

    def test_new_epoch_resets(self):
        s = tc.ResumeState()
        s.update(position(0, 1, 10))
        s.update(position(0, 1, 3, epoch=1))
        self.assertEqual((s.epoch, s.consumed), (1, {0: 3}))

    def test_elastic_resume_repeats_nothing_unconsumed_is_skipped(self):
        # Four consumers took uneven counts (workers that ran ahead); a
        # job on three resumes at the first position not every one reached.
        old_world, counts = 4, {0: 7, 1: 6, 2: 7, 3: 5}
        s = tc.ResumeState(world=old_world, consumed=counts)
        consumed = {c + j * old_world for c, n in counts.items() for j in range(n)}
        reached = s.global_position()
        self.assertEqual(reached, min(n * old_world + c for c, n in counts.items()))
        self.assertTrue(set(range(reached)) <= consumed and reached not in consumed)
        for new_world in [1, 2, 3, 5, 8]:
            resumed = []
            for c in range(new_world):
                start = s.start(c, new_world)
                resumed.extend(c + j * new_world for j in range(start, start + 20))
            # Together the new consumers continue at exactly `reached`, each
            # position once.
            first = sorted(resumed)[: 20 * new_world - new_world]
            self.assertEqual(first, list(range(reached, reached + len(first))), new_world)

    def test_elastic_resume_needs_every_consumer(self):
        s = tc.ResumeState(world=4, consumed={0: 3, 1: 3})
        self.assertEqual((s.start(1, 4), s.start(2, 4)), (3, 0))
        with self.assertRaisesRegex(ValueError, "merge the states"):
            s.start(0, 2)

    def test_update_rebases_on_a_new_world(self):
        s = tc.ResumeState(world=2, consumed={0: 10, 1: 10})
        s.update(position(1, 4, rows=5, start=s.start(1, 4)))
        self.assertEqual(s.world, 4)
        self.assertEqual(s.consumed, {0: 5, 1: 10, 2: 5, 3: 5})
        self.assertEqual(s.global_position(), 20)

    def test_merge(self):
        a = tc.ResumeState(world=4, consumed={0: 3, 1: 3})
        b = tc.ResumeState(world=4, consumed={2: 2, 3: 3})
        m = tc.ResumeState.merge([a, b.to_dict(), tc.ResumeState()])
        self.assertEqual((m.world, m.consumed), (4, {0: 3, 1: 3, 2: 2, 3: 3}))
        with self.assertRaises(ValueError):
            tc.ResumeState.merge([a, tc.ResumeState(world=2, consumed={0: 1})])

    def test_check_order(self):
        s = tc.ResumeState(order={"dataset": "d", "shuffle": "block", "seed": 7})
        s.check_order({"dataset": "d", "shuffle": "block", "seed": 7})
        with self.assertRaisesRegex(ValueError, "seed=7"):
            s.check_order({"dataset": "d", "shuffle": "block", "seed": 8})
        tc.ResumeState().check_order({"dataset": "x"})

    def test_save_and_load(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "state.json")
            self.assertIsNone(tc.ResumeState.load(path).world)
            s = tc.ResumeState(epoch=2, world=3, consumed={0: 1, 2: 5}, order={"dataset": "d"})
            s.save(path)
            s.save(path)
            self.assertEqual(os.listdir(d), ["state.json"])
            got = tc.ResumeState.load(path)
            self.assertEqual((got.epoch, got.world, got.consumed, got.order), (2, 3, {0: 1, 2: 5}, {"dataset": "d"}))

    def test_load_refuses_bad_states(self):
        for doc in [{"version": 2}, {"version": 1, "world": 2, "consumed": {"2": 1}},
                    {"version": 1, "world": 2, "consumed": {"0": -1}}, {"version": 1, "world": 0}]:
            with self.subTest(doc=doc), self.assertRaises(ValueError):
                tc.ResumeState.from_dict(doc)


class Server:
    """A local HTTP server standing in for tome serve: it records each
    request and answers with a canned status and body."""

    def __init__(self, status=200, body=b"", content_type=tc.ARROW_STREAM):
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append((self.path, dict(self.headers)))
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class Batch:
    """What the tests need of a record batch: its row count."""

    def __init__(self, num_rows):
        self.num_rows = num_rows


def ipc_batches(stream):
    """Yields a Batch per record batch of an Arrow IPC stream, reading it
    message by message with exact-size read() calls, as pyarrow reads a
    Python file object. It parses only the framing and the two flatbuffer
    fields it needs (Message.bodyLength and RecordBatch.length), so the
    client's HTTP path can be tested without pyarrow."""

    def read(n):
        b = stream.read(n)
        if len(b) != n:
            raise ValueError(f"short read: {len(b)} of {n} bytes")
        return b

    def u16(b, at):
        return int.from_bytes(b[at:at + 2], "little")

    def u32(b, at):
        return int.from_bytes(b[at:at + 4], "little")

    def field(b, table, index, size):
        """The raw bytes of scalar field index of the table at table (0 when absent)."""
        vtable = table - int.from_bytes(b[table:table + 4], "little", signed=True)
        if 4 + 2 * index >= u16(b, vtable):
            return 0
        off = u16(b, vtable + 4 + 2 * index)
        return int.from_bytes(b[table + off:table + off + size], "little") if off else 0

    def table_field(b, table, index):
        vtable = table - int.from_bytes(b[table:table + 4], "little", signed=True)
        off = u16(b, vtable + 4 + 2 * index)
        return table + off + u32(b, table + off)

    while True:
        size = u32(read(4), 0)
        if size == 0xFFFFFFFF:
            size = u32(read(4), 0)
        if size == 0:
            return
        meta = read(size)
        message = u32(meta, 0)
        header_type, body = field(meta, message, 1, 1), field(meta, message, 3, 8)
        read(body)
        if header_type == 3:  # RecordBatch
            yield Batch(field(meta, table_field(meta, message, 2), 0, 8))


def fake_batches(response):
    """Reads "rows,rows,..." instead of Arrow IPC: batches of those sizes."""
    for n in response.read().decode().split(","):
        yield types.SimpleNamespace(num_rows=int(n))


class DatasetTest(unittest.TestCase):
    def test_reads_its_consumer_stream(self):
        state = tc.ResumeState(world=6, consumed={c: 10 + c for c in range(6)},
                               order={"dataset": "train", "shuffle": "block", "seed": 7})
        with Server(body=b"4,4,2") as srv:
            data = tc.TomeDataset(srv.url, "train", shuffle="block", seed=7, batch_rows=4, rank=1, world=2,
                                  resume=state, token="tok", read_batches=fake_batches, transform=lambda b: b.num_rows)
            self.assertEqual(data.consumer_params(worker=2, workers=3)["rank"], 5)
            got = list(data)  # outside a DataLoader: worker 0 of 1, so consumer 1 of 2
            path, headers = srv.requests[0]
        self.assertEqual([rows for rows, _ in got], [4, 4, 2])
        self.assertEqual(got[0][1]["consumer"], 1)
        self.assertEqual(got[0][1]["world"], 2)
        q = urllib.parse.parse_qs(urllib.parse.urlparse(path).query)
        self.assertEqual(urllib.parse.urlparse(path).path, "/v1/datasets/train/stream")
        # World 2 is not the state's 6: the consumer resumes elastically.
        self.assertEqual(q, {"shuffle": ["block"], "seed": ["7"], "epoch": ["0"], "world": ["2"], "rank": ["1"],
                             "start": [str(state.start(1, 2))], "batch_rows": ["4"]})
        self.assertEqual(headers.get("Authorization"), "Bearer tok")
        self.assertEqual(state.start(1, 2), 30)  # (10+0)*6 positions reached; consumer 1 of 2 is at 30
        for _, pos in got:
            state.update(pos)
        self.assertEqual(state.world, 2)
        self.assertEqual(state.consumed, {0: 30, 1: 40})

    def test_worker_streams(self):
        data = tc.TomeDataset("http://h", "d", rank=1, world=2, resume=tc.ResumeState(world=8, consumed={6: 40}))
        self.assertEqual(data.consumer_params(2, 4), {"epoch": 0, "world": 8, "rank": 6, "start": 40})
        self.assertEqual(data.consumer_params(3, 4), {"epoch": 0, "world": 8, "rank": 7})

    def test_refused_stream(self):
        body = json.dumps({"error": "unknown dataset \"nope\""}).encode()
        with Server(status=404, body=body, content_type="application/json") as srv:
            data = tc.TomeDataset(srv.url, "nope", rank=0, world=1, read_batches=fake_batches)
            with self.assertRaisesRegex(tc.StreamError, 'answered 404: unknown dataset "nope"'):
                list(data)

    def test_not_an_arrow_stream(self):
        with Server(body=b"<html>log in</html>", content_type="text/html") as srv:
            data = tc.TomeDataset(srv.url, "d", rank=0, world=1, read_batches=fake_batches)
            with self.assertRaisesRegex(tc.StreamError, "text/html"):
                list(data)

    def test_refuses_a_state_of_another_order(self):
        state = tc.ResumeState(world=1, consumed={0: 3}, order={"dataset": "d", "seed": 1})
        with self.assertRaisesRegex(ValueError, "seed"):
            tc.TomeDataset("http://h", "d", seed=2, rank=0, world=1, resume=state)

    def test_rank_and_world_together(self):
        with self.assertRaises(ValueError):
            tc.TomeDataset("http://h", "d", rank=0)


def load_tests(loader, tests, ignore):
    tests.addTests(doctest.DocTestSuite(tc))
    return tests


if __name__ == "__main__":
    unittest.main()
