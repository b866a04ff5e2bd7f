"""The 10-instance round-robin workload of BENCHMARKS.md as a SimPy model, for a side-by-side
figure with the engine: whole process, same requests.

The cluster is `engine/bench/round_robin_10.json` (the criterion bench's
`round_robin_10_instances`, kept equal to it by `tests/presets.rs`): Poisson arrivals at
4,000 req/s, round robin over 10 instances, each with 16 slots and a queue of 64 (a full queue
refuses the call, 503), log-normal service times (median 20 ms, sigma 0.5), a 1,000 ms request
timeout. Time is in simulated seconds here (SimPy's float clock); the engine counts µs.

Prints one JSON line: simulated seconds, requests that arrived, served, refused, timed out,
the median latency in ms and the wall seconds the simulation took.

Usage: python3 engine/bench/simpy_round_robin.py [--seconds 15] [--seed 42]
"""

import argparse
import json
import math
import random
import sys
import time

import simpy


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()

    with open("engine/bench/round_robin_10.json") as f:
        cluster = json.load(f)
    svc = cluster["services"][0]
    rate = cluster["traffic"]["rate_rps"]
    timeout_s = cluster["request_timeout_ms"] / 1000.0

    rng = random.Random(args.seed)
    env = simpy.Environment()
    instances = []
    for inst in svc["instances"]:
        lat = inst["latency"]
        instances.append(
            {
                "slots": simpy.Resource(env, capacity=inst["concurrency"]),
                "queue_limit": inst["queue_limit"],
                "mu": math.log(lat["median_ms"] / 1000.0),
                "sigma": lat["sigma"],
            }
        )
    counts = {"arrived": 0, "served": 0, "refused": 0, "timed_out": 0}
    latencies = []

    def job(inst, done):
        with inst["slots"].request() as slot:
            yield slot
            yield env.timeout(rng.lognormvariate(inst["mu"], inst["sigma"]))
        if not done.triggered:
            done.succeed()

    def request(inst):
        start = env.now
        if len(inst["slots"].queue) >= inst["queue_limit"]:
            counts["refused"] += 1
            return
        done = env.event()
        env.process(job(inst, done))
        result = yield done | env.timeout(timeout_s)
        if done in result:
            counts["served"] += 1
            latencies.append(env.now - start)
        else:
            counts["timed_out"] += 1

    def gateway():
        turn = 0
        while True:
            yield env.timeout(rng.expovariate(rate))
            counts["arrived"] += 1
            env.process(request(instances[turn]))
            turn = (turn + 1) % len(instances)

    env.process(gateway())
    t0 = time.perf_counter()
    env.run(until=args.seconds)
    wall = time.perf_counter() - t0
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000.0 if latencies else 0.0
    print(
        json.dumps(
            {
                "simulated_s": args.seconds,
                **counts,
                "p50_ms": round(p50, 3),
                "wall_s": round(wall, 3),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
