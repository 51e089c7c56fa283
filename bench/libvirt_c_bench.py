#!/usr/bin/python3
"""The C-library side of `npm run bench`: the same workloads as bench/lib/ours.ts, run through
libvirt-python (the C libvirt client library). Prints JSON of raw samples (ns per iteration or per
batch) and RSS on stdout; bench/libvirt-bench.ts does all the statistics.

Run with Debian's /usr/bin/python3 (python3-libvirt), e.g.:
  libvirt_c_bench.py --uri URI --socket PATH --remote-name qemu:///system \
      --names d1,d2 --xml-domain d1 --plan '{"hostname": 667, ...}'
"""
import argparse
import json
import socket
import struct
import sys
import threading
import time

import libvirt

STATS = (libvirt.VIR_DOMAIN_STATS_STATE | libvirt.VIR_DOMAIN_STATS_CPU_TOTAL
         | libvirt.VIR_DOMAIN_STATS_BALLOON | libvirt.VIR_DOMAIN_STATS_VCPU)
LATENCY_KEYS = ["list_stats", "list_state_only", "list_naive", "xml", "hostname", "raw", "connect", "raw_connect"]
THROUGHPUT_KEYS = ["tput_1", "tput_64"]
now = time.perf_counter_ns


def rss_bytes():
    """Current resident set size (VmRSS) of this process."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def warmup_count(iters, plan):
    """Warm-up iterations for a workload, rounded like bench/lib/plan.ts (half up, at least 3)."""
    return max(3, int(iters * plan["warmupFraction"] + 0.5))


def time_each(op, iters):
    """Runs op iters times; returns each iteration's duration in ns."""
    out = []
    for _ in range(iters):
        t0 = now()
        op()
        out.append(now() - t0)
    return out


class RawSocket:
    """Hand-built CONNECT_GET_HOSTNAME packets on a bare unix socket: Python's floor, no libvirt."""
    REMOTE, HOSTNAME, OPEN, CLOSE, AUTH_LIST = 0x20008086, 59, 1, 2, 66

    def __init__(self, path, remote_name):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.serial = 0
        self.call(self.AUTH_LIST)
        name = remote_name.encode()
        pad = b"\0" * ((4 - len(name) % 4) % 4)
        self.call(self.OPEN, struct.pack(">II", 1, len(name)) + name + pad + struct.pack(">I", 0))

    def call(self, proc, payload=b""):
        """One CALL and its whole REPLY; raises on an error reply."""
        self.serial += 1
        header = struct.pack(">IIIiiIi", 28 + len(payload), self.REMOTE, 1, proc, 0, self.serial, 0)
        self.sock.sendall(header + payload)
        reply = self.sock.recv(65536)
        while len(reply) < 4 or len(reply) < struct.unpack_from(">I", reply)[0]:
            reply += self.sock.recv(65536)
        if struct.unpack_from(">i", reply, 24)[0] != 0:
            raise RuntimeError("raw socket: procedure %d failed" % proc)
        return reply

    def hostname(self):
        return self.call(self.HOSTNAME)

    def close(self):
        self.call(self.CLOSE)
        self.sock.close()


class ThreadPool64:
    """`inflight` threads sharing one virConnect; each batch every thread makes `per_worker` calls."""

    def __init__(self, conn, inflight, per_worker):
        self.conn, self.per_worker, self.stop = conn, per_worker, False
        self.barrier = threading.Barrier(inflight + 1)
        self.threads = [threading.Thread(target=self.work, daemon=True) for _ in range(inflight)]
        for t in self.threads:
            t.start()

    def work(self):
        while True:
            self.barrier.wait()  # batch start
            if self.stop:
                return
            for _ in range(self.per_worker):
                self.conn.getHostname()
            self.barrier.wait()  # batch end

    def batch(self):
        self.barrier.wait()
        self.barrier.wait()

    def close(self):
        self.stop = True
        self.barrier.wait()
        for t in self.threads:
            t.join()


def latency_ops(args, conn, dom, raw):
    """The operation each latency workload times once per iteration."""
    def list_naive():
        for d in conn.listAllDomains(0):
            d.state()

    def connect():
        c = libvirt.open(args.uri)
        c.close()

    def raw_connect():
        RawSocket(args.socket, args.remote_name).close()

    return {
        "list_stats": lambda: conn.getAllDomainStats(STATS),
        "list_state_only": lambda: conn.getAllDomainStats(libvirt.VIR_DOMAIN_STATS_STATE),
        "list_naive": list_naive,
        "xml": lambda: dom.XMLDesc(0),
        "hostname": conn.getHostname,
        "raw": raw.hostname,
        "connect": connect,
        "raw_connect": raw_connect,
    }


def time_batches(conn, tp, count):
    """Times `count` batches of tp["inflight"] x tp["perWorker"] getHostname calls (ns per batch)."""
    if tp["inflight"] == 1:
        def one_batch():
            for _ in range(tp["perWorker"]):
                conn.getHostname()
        return time_each(one_batch, count)
    pool = ThreadPool64(conn, tp["inflight"], tp["perWorker"])
    try:
        return time_each(pool.batch, count)
    finally:
        pool.close()


def run(args):
    plan = json.loads(args.plan)
    conn = libvirt.open(args.uri)
    raw = RawSocket(args.socket, args.remote_name)
    try:
        if conn.getHostname() != args.expect_host:
            raise SystemExit("refusing to benchmark '%s': expected %s" % (conn.getHostname(), args.expect_host))
        dom = conn.lookupByName(args.xml_domain)
        ops = latency_ops(args, conn, dom, raw)
        for key in LATENCY_KEYS:
            time_each(ops[key], warmup_count(plan[key], plan))
        for key in THROUGHPUT_KEYS:
            time_batches(conn, plan[key], 1)
        rss_warm = rss_bytes()
        samples = {key: time_each(ops[key], plan[key]) for key in LATENCY_KEYS}
        for key in THROUGHPUT_KEYS:
            samples[key] = time_batches(conn, plan[key], plan[key]["batches"])
        names = set(args.names.split(",")) if args.names else set()
        seen = [d.name() for d, _ in conn.getAllDomainStats(STATS)]
        missing = names - set(seen)
        if missing:
            raise SystemExit("domains not visible to libvirt-python: %s" % sorted(missing))
        return {"samples": samples, "rssWarm": rss_warm, "rssEnd": rss_bytes(), "domainsSeen": len(seen),
                "libvirtVersion": libvirt.getVersion(), "python": sys.version.split()[0]}
    finally:
        raw.close()
        conn.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--uri", required=True)
    p.add_argument("--socket", required=True, help="the daemon's unix socket, for the raw-socket floor")
    p.add_argument("--remote-name", required=True, help="URI sent in CONNECT_OPEN, e.g. qemu:///system")
    p.add_argument("--names", default="", help="comma-separated domain names that must be listed")
    p.add_argument("--xml-domain", required=True)
    p.add_argument("--expect-host", default="gvh-a")
    p.add_argument("--plan", required=True, help="iteration counts as JSON (see bench/lib/plan.ts)")
    json.dump(run(p.parse_args()), sys.stdout)


if __name__ == "__main__":
    main()
