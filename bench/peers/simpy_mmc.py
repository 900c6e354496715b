"""M/M/c in SimPy, the textbook way: a source process, one process per customer, a
Resource with c servers. Prints one line: customers, wall seconds, mean wait in queue.

    python simpy_mmc.py SERVERS RHO CUSTOMERS SEED

Time unit: seconds; service mean 0.1 s (as in bench/peers/mmc.toml), arrival rate
ρ·c / 0.1. The wait is measured from arrival to getting a server, for every customer
(the system starts empty; its relaxation time is ~1 s, ~70 customers out of 10^6).
"""

import random
import sys
import time

import simpy

SERVICE_MEAN_S = 0.1


def main() -> None:
    servers, rho, customers, seed = (
        int(sys.argv[1]),
        float(sys.argv[2]),
        int(sys.argv[3]),
        int(sys.argv[4]),
    )
    rng = random.Random(seed)
    lam = rho * servers / SERVICE_MEAN_S
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=servers)
    waits = [0.0, 0]  # sum, count

    def customer(env):
        arrived = env.now
        with server.request() as req:
            yield req
            waits[0] += env.now - arrived
            waits[1] += 1
            yield env.timeout(rng.expovariate(1.0 / SERVICE_MEAN_S))

    def source(env):
        for _ in range(customers):
            yield env.timeout(rng.expovariate(lam))
            env.process(customer(env))

    t0 = time.perf_counter()
    env.process(source(env))
    env.run()
    wall = time.perf_counter() - t0
    print(f"{waits[1]} {wall:.6f} {waits[0] / waits[1]:.9g}")


if __name__ == "__main__":
    main()
